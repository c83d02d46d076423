"""SignalRfft / SignalIrfft shapes and lengths outside what TF Lite Micro's kissfft runs correctly
are refused with a clear error naming the value."""
from __future__ import annotations

import pytest

from tests.ops.cases._signal import plain
from tests.tflite_builder import act, single_op
from tinycc.core.errors import TinyccError

BAD = [
    ("signal_irfft", (18,), 14, "fft_length 14"),           # half 7: a radix TFLM's kissfft cannot run
    ("signal_irfft", (16,), 16, "rows of 16 values"),       # 16 + 2 values expected
    ("signal_irfft", (6,), 3, "fft_length 3"),
    ("signal_rfft", (20,), 16, "frames of 20 samples"),
    ("signal_rfft", (8,), 14, "fft_length 14"),
]


@pytest.mark.parametrize("dtype", ["int16", "int32", "float32"])
@pytest.mark.parametrize("op,shape,n,words", BAD, ids=[b[3] for b in BAD])
def test_refused(op, shape, n, words, dtype):
    with pytest.raises(TinyccError) as err:
        single_op(op, [plain("x", shape, dtype)], act("y", (), dtype), {"fft_length": n})
    assert words in err.value.render()
