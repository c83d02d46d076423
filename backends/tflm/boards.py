"""Budget constants of the tflm backend's README (boards come from tinycc's board database)."""
from __future__ import annotations

from tinycc.boards import STACK_RESERVE_BYTES

STACK_RESERVE = STACK_RESERVE_BYTES      # one figure for every budget: tinycc.boards
