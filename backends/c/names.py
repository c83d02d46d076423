"""C identifiers and comments from model data: a node name is data, never code.

`identifier()` maps any string to a valid, bounded C identifier; `Namer` makes them unique;
`comment()` makes text safe inside /* ... */.
"""
from __future__ import annotations

import hashlib
import re

C_KEYWORDS = frozenset("""auto break case char const continue default do double else enum extern float for goto if
inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void
volatile while _Bool _Complex _Imaginary main""".split())
MAX_IDENTIFIER = 48


def identifier(text: str, fallback: str = "x") -> str:
    """A C identifier made of [A-Za-z0-9_] derived from text; changed text gets a short hash suffix."""
    clean = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_") or fallback
    if clean[0].isdigit():
        clean = f"{fallback}_{clean}"
    if clean != text or len(clean) > MAX_IDENTIFIER or clean in C_KEYWORDS:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:6]
        clean = f"{clean[:MAX_IDENTIFIER - 7]}_{digest}"
    # reserved: leading underscore + capital or double underscore
    return re.sub(r"__+", "_", clean)


class Namer:
    """Hands out unique identifiers, deterministic in call order."""

    def __init__(self, reserved=()):
        self.used = set(reserved)

    def __call__(self, text: str, fallback: str = "x") -> str:
        base = identifier(text, fallback)
        name, k = base, 1
        while name in self.used:
            k += 1
            name = f"{base}_{k}"
        self.used.add(name)
        return name


def comment(text: str, limit: int = 120) -> str:
    """Printable ASCII, no comment terminators, no line breaks, bounded length."""
    safe = "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in str(text))
    safe = safe.replace("*/", "*_/").replace("/*", "/_*").replace("\\", "/").replace("??", "?_")
    return safe if len(safe) <= limit else safe[:limit - 3] + "..."
