"""Budget constants of the tflm backend's README (boards come from tinycc's board database)."""
from __future__ import annotations

STACK_RESERVE = 16 * 1024      # the seed's "stack + heap: reserve 8-16 KB"
