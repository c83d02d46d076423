"""The reference interpreter: runs a core graph with the numpy reference kernels.

This is tinycc's definition of what a model computes; every backend is tested against it and
it is tested against TF Lite Micro.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, overload

import numpy as np

from tinycc.core import control, ops
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, Node, np_dtype

After = Callable[[Node, list[np.ndarray]], list[np.ndarray]]


def check_inputs(g: Graph, inputs: list[np.ndarray]) -> list[np.ndarray]:
    if len(inputs) != len(g.inputs):
        raise TinyccError(f"the model has {len(g.inputs)} inputs, {len(inputs)} were given")
    fixed = []
    for name, x in zip(g.inputs, inputs):
        t = g.tensors[name]
        x = np.asarray(x)
        if x.size != t.size:
            raise TinyccError(f"input {name!r} needs shape {t.shape}, got {x.shape}")
        fixed.append(x.astype(np_dtype(t.dtype), copy=False).reshape(t.shape))
    return fixed


class Interpreter:
    """Prepares every node once, then runs inputs through the graph."""

    def __init__(self, g: Graph, runtime: Any = None):
        self.g = g
        self.params = [ops.require(n.op).prepare(n, g) for n in g.nodes]
        self.state: dict[str, np.ndarray] = {}
        self.runtime = runtime                 # a subgraph's: its model's (core/control.py Runtime)
        self._root = runtime is None
        if self._root and any(ops.trait(n.op, "ordered") for n in g.nodes):
            self.runtime = Runtime(g)
        for node, p in zip(g.nodes, self.params):
            if ops.trait(node.op, "ordered"):
                p["runtime"] = self.runtime
        self.reset()

    def reset(self) -> None:
        """Variable (state) tensors back to TF Lite Micro's reset values: an int8 one's zero point, else 0.
        They keep their values from one `run` to the next otherwise."""
        for name, t in self.g.tensors.items():
            if t.variable:
                fill = t.quant.zp if t.dtype == "int8" and t.quant is not None else 0
                self.state[name] = np.full(t.shape, fill, dtype=np_dtype(t.dtype))
        reset_node_state(self.g, self.params)
        if self._root and self.runtime is not None:
            self.runtime.reset()       # resource variables zeroed, CALL_ONCE flags kept (TF Lite Micro's reset)

    @overload
    def run(self, inputs: list[np.ndarray], keep_all: Literal[False] = False,
            after: After | None = None) -> list[np.ndarray]: ...

    @overload
    def run(self, inputs: list[np.ndarray], keep_all: Literal[True],
            after: After | None = None) -> tuple[list[np.ndarray], dict[str, np.ndarray]]: ...

    def run(self, inputs: list[np.ndarray], keep_all: bool = False, after: After | None = None
            ) -> list[np.ndarray] | tuple[list[np.ndarray], dict[str, np.ndarray]]:
        """Outputs as a list; with keep_all, also a dict of every tensor value by name.
        `after(node, outputs) -> outputs`, when given, sees (and may replace) each node's results
        before later nodes read them: a debugging hook."""
        g = self.g
        values: dict[str, np.ndarray] = {**self.state, **dict(zip(g.inputs, check_inputs(g, inputs)))}
        for node, p in zip(g.nodes, self.params):
            args = [None if n is None else (values[n] if n in values else g.tensors[n].data)
                    for n in node.inputs]
            while args and args[-1] is None:
                args.pop()
            outs = ops.require(node.op).run(node, g, args, p)
            if after is not None:
                outs = after(node, outs)
            for name, y in zip(node.outputs, outs):
                t = g.tensors[name]
                values[name] = np.asarray(y).astype(np_dtype(t.dtype), copy=False).reshape(t.shape)
        result = [values[n] if n in values else _const(g, n) for n in g.outputs]
        return (result, values) if keep_all else result


def _const(g: Graph, name: str) -> np.ndarray:
    """A model output no node computes: a constant (validation refuses any other)."""
    data = g.tensors[name].data
    assert data is not None, f"output {name!r} is neither computed nor constant"
    return data


def run(g: Graph, inputs: list[np.ndarray]) -> list[np.ndarray]:
    return Interpreter(g).run(inputs)


def reset_node_state(g: Graph, params: list[dict[str, Any]]) -> None:
    """Kernel state TF Lite Micro keeps in a node's persistent buffer rather than in a tensor (the
    signal library's noise estimate, delay lines): an op module with `initial_state(node, g, params)`
    gets that value as params["state"] (TFLM's Reset), which its `run` reads and updates in place
    from one invocation to the next."""
    for node, p in zip(g.nodes, params):
        initial = getattr(ops.get(node.op), "initial_state", None)
        if initial is not None:
            p["state"] = initial(node, g, p)


class Runtime:
    """The reference interpreter's model-wide state: resource variables, CALL_ONCE flags, subgraph calls."""

    def __init__(self, g: Graph):
        self.g = g
        self.variables = control.variables(g)
        self.values: dict[control.Key, np.ndarray] = {}
        self.once: set[int] = set()             # CALL_ONCE subgraphs already run (kept across resets)
        self._interpreters: dict[int, Interpreter] = {}
        self.reset()

    def reset(self) -> None:
        """TF Lite Micro's reset: every variable zeroed; CALL_ONCE flags kept."""
        self.values = {k: np.zeros(v.shape, np_dtype(v.dtype)) for k, v in self.variables.items()}

    def call(self, index: int, inputs: list[Any]) -> list[np.ndarray]:
        if index not in self._interpreters:
            self._interpreters[index] = Interpreter(self.g.subgraphs[index], runtime=self)
        return self._interpreters[index].run(list(inputs))
