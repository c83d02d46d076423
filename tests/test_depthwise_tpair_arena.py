"""Where tinycc_dw_s8_tpair's ring and records live (backends/c/ops/depthwise_conv_2d.py _tp_at,
backends/c/arena_gap.py): in arena bytes free while the node runs (no tensor alive at it on them, no
scratch of its own), else in its wrapper's frame (TINYCC_DW_TP_STACK: the most such a node needs).

The chain: a 3x3 depthwise 16x32x8 (its output the arena's one 4,096-byte in-place buffer), a stride-2
one in place over it (8x16x8: the buffer full while it runs: its ring on the stack), a third from that
1,024-byte tensor to the model's output: 3,072 bytes of the buffer dead under it, its ring there. Outputs
equal TF Lite Micro's on the host (ASan + UBSan) and under QEMU on a Cortex-M4 (the assembly's reads and
writes of both rings)."""
from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest

from tests.c_build import write_sources
from tests.ops.check import assert_matches_tflm, assert_qemu_m4_equals_tflm
from tests.test_depthwise_tpair import tp_case
from tinycc.backends.c import arena_gap
from tinycc.backends.c.ops import depthwise_conv_2d as emitter
from tinycc.backends.c.plugin import CBackend
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import ops
from tinycc.core.passes import memory
from tinycc.core.validate import validate
from tinycc.plugins.importers.tflite import load_tflite

LAYERS = (dict(h=16, w=32, cin=8, out_zp=-128, act_fn="relu"), dict(h=16, w=32, cin=8, strides=(2, 2)),
          dict(h=8, w=16, cin=8, act_fn="relu6"))
TPAIR_BYTES = (1952, 1952, 1184)      # 4 co (10 + 3 kp): kp 17, 17 (stride 2 across), 9


def _chain() -> bytes:
    g = load_tflite(Path("a.tflite"), tp_case(21, **LAYERS[0]))
    for k, kw in enumerate(LAYERS[1:], 1):
        nxt = load_tflite(Path("b.tflite"), tp_case(21 + k, **kw))
        node, pre = nxt.nodes[0], f"n{k}_"
        for name, t in nxt.tensors.items():
            if name != node.inputs[0]:
                g.tensors[pre + name] = dataclasses.replace(t, name=pre + name)
        inputs = [g.outputs[0], *(pre + i for i in node.inputs[1:])]
        g.nodes.append(dataclasses.replace(node, name=f"n{k}", inputs=inputs, outputs=[pre + o for o in node.outputs]))
        g.outputs = [pre + o for o in nxt.outputs]
    for o in g.outputs:   # the last node's output takes its own shape
        g.tensors[o] = dataclasses.replace(g.tensors[o], shape=())
    return write_tflite(validate(g))


def _graph():
    model = _chain()
    g = load_tflite(Path("test.tflite"), model)
    for node, need in zip(g.nodes, TPAIR_BYTES):
        p = ops.require(node.op).prepare(node, g)
        assert emitter._entry(node, g, p) == "tpair" and emitter._tpair_bytes(node, g, p) == need
    return model, g


def test_the_ring_takes_arena_bytes_dead_at_its_node_else_the_stack(tmp_path):
    model, g = _graph()
    plan = memory.plan(g, **CBackend.plan_options)
    mid = g.nodes[1].outputs[0]        # the one arena tensor alive at the third node
    assert plan.arena_bytes < 4096 + 1024 and g.tensors[mid].nbytes == 1024
    assert [arena_gap.free_gap(g, plan, i, need) is None for i, need in enumerate(TPAIR_BYTES)] == [True, True, False]
    at = arena_gap.free_gap(g, plan, 2, TPAIR_BYTES[2])
    lo = plan.offsets[mid]
    assert at % 16 == 0 and at + TPAIR_BYTES[2] <= plan.arena_bytes
    assert at >= lo + 1024 or at + TPAIR_BYTES[2] <= lo          # never over the live tensor
    assert arena_gap.free_gap(g, plan, 2, plan.arena_bytes) is None
    write_sources(g, tmp_path)
    src = (tmp_path / "model.c").read_text()
    calls = re.findall(r"tinycc_depthwise_conv_2d_s8_tpair(?:_inplace)?\(.*\);", src)
    assert len(calls) == 3 and [c[:-2].rsplit(", ", 1)[1] for c in calls] == [
        "NULL", "NULL", f"((int32_t *)(arena.bytes + {at}))"]
    assert "tinycc_depthwise_conv_2d_s8_tpair_inplace(" in calls[1]
    assert "#define TINYCC_DW_TP_STACK 1952" in src


def test_the_chain_on_host_equals_tflm():
    model, _ = _graph()
    assert_matches_tflm(model, samples=2, seed=5, c=True, sanitize=True)


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain and QEMU are not installed")
def test_the_chain_on_qemu_cortex_m4_equals_tflm(tmp_path):
    model, g = _graph()
    write_sources(g, tmp_path)
    report = assert_qemu_m4_equals_tflm(model, g, tmp_path, 2)
    # the stack nodes' ring and the assembly's own 88 bytes in one frame
    assert 1952 + 88 <= report["max_frame_stack_bytes"] < 1952 + 88 + 256
