"""Backends mirror the operator folder (issue 16): a backend's twins are the modules of its
ops/ folder, one per core op, found by op name; any other op falls back to the c emitters."""
from __future__ import annotations

import pkgutil
from types import SimpleNamespace

import pytest

from tinycc.backends.c import ops as c_ops
from tinycc.backends.cmsis_nn import ops as cmsis_ops
from tinycc.backends.microtvm import ops as tvm_ops
from tinycc.core import ops as core_ops


def _modules(package) -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_"))


@pytest.mark.parametrize("package", [cmsis_ops, tvm_ops], ids=["cmsis-nn", "microtvm"])
def test_every_twin_module_is_a_core_op_with_a_c_fallback(package):
    names = _modules(package)
    assert names, "the ops/ folder is empty"
    for name in names:
        assert core_ops.get(name) is not None, f"{package.__name__}.{name} is no core op"
        assert c_ops.get(name) is not None, f"{name} has a twin but no c emitter to fall back to"
        assert package.get(name).__name__ == f"{package.__name__}.{name}"


def test_cmsis_twins_have_the_c_emitter_interface():
    for name in _modules(cmsis_ops):
        twin = cmsis_ops.get(name)
        assert callable(twin.applies) and callable(twin.emit), name


def test_microtvm_modules_lower_every_float_op_and_int8_twins_build_te():
    assert tvm_ops.names() == _modules(tvm_ops)
    for name in tvm_ops.names():
        assert callable(tvm_ops.get(name).relax_op), name
    twins = [n for n in tvm_ops.names() if tvm_ops.int8_twin(n) is not None]
    assert {"conv_2d", "depthwise_conv_2d", "fully_connected"} <= set(twins)
    assert all(callable(tvm_ops.int8_twin(n).te_int8) for n in twins)


def test_ops_without_a_twin_fall_back_and_helpers_are_not_ops():
    for package in (cmsis_ops, tvm_ops):
        assert package.get("_common") is None
        assert package.get("no_such_op") is None
    assert cmsis_ops.twins(SimpleNamespace(op="mul"), None) is None      # no module: the c emitter
    assert cmsis_ops.scratch_bytes(SimpleNamespace(op="mul"), None) == 0
    assert tvm_ops.int8_twin("softmax") is None                         # Relax lowering only: c kernel for int8
