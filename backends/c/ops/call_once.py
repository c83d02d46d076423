"""C emitter for CALL_ONCE: its init subgraph's function on the first invoke only; the flag is a static
of its own, which NAME_reset() leaves alone (TF Lite Micro's reset does not run the init again)."""
from __future__ import annotations

from tinycc.backends.c import subgraphs


def emit(node, m, p):
    fn, _ = subgraphs.function(m, p["init"])
    flag = m.namer(f"{m.prefix}_once_{p['init']}")
    m.local(f"static int {flag};")
    m.emit(f"if (!{flag}) {{ {flag} = 1; {{ int tinycc_s = {fn}(); if (tinycc_s != 0) return tinycc_s; }} }}")
