"""ARG_MAX cases: random single-op models; int8 inputs drawn over a few values so that ties are common."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, random_shape
from tests.tflite_builder import act, q, single_op

DTYPES = ("int8", "float32")


def arg_case(op):
    def build(rng, dtype):
        shape = random_shape(rng)
        axis = int(rng.integers(-len(shape), len(shape)))
        return single_op(op, [io_tensor(rng, dtype, shape)], act("y", (), "int32"), {"axis": axis})
    return build


build = arg_case("arg_max")



def _bad_axis(op):
    """A model whose axis operand (3) is beyond its 2-D input: written by hand, as the shape rule refuses it."""
    from tinycc.backends.tflm.flatbuffer import write_tflite
    from tinycc.core.graph import Graph, Node
    x, y = act("x", (2, 3), "int8", q(0.1, 0)), act("y", (2,), "int32")
    node = Node(f"{op}_under_test", op, ["x"], ["y"], {"axis": 3})
    return write_tflite(Graph(op, {"x": x, "y": y}, [node], ["x"], ["y"], source="<test>"))


HOSTILE_INVALID = {
    "arg_max_axis_3_of_2d": (lambda: _bad_axis("arg_max"), ["axis 3", "2-D"]),
}
