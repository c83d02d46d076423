"""NAME_invoke's status codes beyond 0 (ok) and 1 (a NULL buffer, or a subgraph that failed without a
code of its own): one constant per run-time failure a kernel reports, declared in NAME.h as
NAME_ERROR_... and returned by NAME_invoke (through the subgraph functions of IF, WHILE, CALL_ONCE)."""
from __future__ import annotations

# a position or index computed at run time is outside the dimension it picks from (GATHER);
# TF Lite Micro fails the invoke on it, and the C returns before reading or writing anything
INDEX_OUT_OF_RANGE = 2

# a decoded box is empty (ymin >= ymax or xmin >= xmax: TFLite_Detection_PostProcess); TF Lite Micro
# fails the invoke on it, and the C returns before writing any output
INVALID_BOXES = 3
