"""SignalStacker / SignalFramer options outside what TF Lite Micro's kernels run correctly (its
circular buffers assert, or overrun without asserts) are refused with a clear error naming the
option and its value."""
from __future__ import annotations

import pytest

from tests.ops.cases._signal_valid import model
from tinycc.core.errors import TinyccError

STACK = {"num_channels": 4, "stacker_left_context": 1, "stacker_right_context": 1, "stacker_step": 1}
FRAME = {"frame_size": 6, "frame_step": 2, "prefill": True}
BAD = [
    ("signal_stacker", (4,), {"stacker_step": 0}, "stacker_step 0"),
    ("signal_stacker", (4,), {"stacker_step": 4}, "stacker_step 4"),
    ("signal_stacker", (4,), {"num_channels": 0}, "num_channels 0"),
    ("signal_stacker", (5,), {}, "num_channels 4"),
    ("signal_stacker", (4,), {"stacker_left_context": -1}, "stacker_left_context -1"),
    ("signal_framer", (8,), {"frame_step": 0}, "frame_step 0"),
    ("signal_framer", (7,), {}, "frame_step 2"),
    ("signal_framer", (8,), {"frame_size": 1}, "frame_size 1 below frame_step 2"),
    ("signal_framer", (8,), {"frame_size": 0, "prefill": False}, "frame_size 0"),
]


@pytest.mark.parametrize("op,shape,change,words", BAD, ids=[b[3] for b in BAD])
def test_refused(op, shape, change, words):
    attrs = {**(STACK if op == "signal_stacker" else FRAME), **change}
    with pytest.raises(TinyccError) as err:
        model(op, shape, attrs)
    assert words in err.value.render()
