"""C identifiers and comments from model data: a node name is data, never code.

`identifier()` maps any string to a valid, bounded C identifier; `model_name()` makes the
`--name` prefix safe as a file name and symbol prefix too; `Namer` makes identifiers unique
and keeps them clear of the kernels' and vendor libraries' names; `comment()` makes text safe
inside /* ... */, // comments and Markdown code spans.
"""
from __future__ import annotations

import functools
import hashlib
import re
from importlib import resources

from tinycc.backends.c.kernel_units import instances

C_KEYWORDS = frozenset("""auto break case char const continue default do double else enum extern float for goto if
inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void
volatile while _Bool _Complex _Imaginary main""".split())
MAX_IDENTIFIER = 48
# file-scope names of the libraries generated code is linked with: tinycc's kernels, TVM's, CMSIS-NN's
RESERVED_PREFIXES = ("tinycc", "tvm", "arm_", "cmsis")
# NAME.h must never shadow a standard header (the harness and kernels include them, often with -I.)
STD_HEADERS = frozenset("""assert complex ctype errno fenv float inttypes iso646 limits locale math setjmp signal
stdalign stdarg stdatomic stdbool stddef stdint stdio stdlib stdnoreturn string tgmath threads time uchar wchar
wctype""".split())
# token-pasted kernel families (tinycc_addsub_ ## s8, ...) expand with these suffixes
_PASTED = ("s8", "s16", "s32", "f32", "u8", "s8_s8", "s8_s16", "s16_s8", "s16_s16")


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


def _reserved_prefix(name: str) -> bool:
    return name.lower().startswith(RESERVED_PREFIXES)


def model_name(text: str | None, fallback: str = "model") -> str:
    """The `--name` prefix as a C identifier that is also a safe file name: never a standard
    header's (string.h) nor in the kernels' or vendors' name spaces (tinycc_*, arm_*, ...);
    such names get an `m_` in front."""
    name = identifier(text or fallback, fallback)
    if name.lower() in STD_HEADERS or _reserved_prefix(name):
        name = identifier(f"m_{name}", fallback)
    return name


@functools.cache
def kernel_identifiers() -> frozenset[str]:
    """Every identifier the c backend's kernels and model.c template use, pasted families expanded."""
    root = resources.files("tinycc.backends.c")
    texts = [text for _, text in instances()]
    texts.append(root.joinpath("templates", "model.c.j2").read_text())
    tokens = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", "\n".join(texts)))
    tokens |= {t + s for t in tokens if t.endswith("_") for s in _PASTED}
    return frozenset(tokens)


class Namer:
    """Hands out unique identifiers, deterministic in call order. Names in the reserved name
    spaces (RESERVED_PREFIXES) get an `n_` in front unless they start with `owned` + "_" (the
    model's own prefix); `reserved` names are never handed out."""

    def __init__(self, reserved=(), owned: str | None = None):
        self.used = set(reserved)
        self.owned = f"{owned}_" if owned else None

    def __call__(self, text: str, fallback: str = "x") -> str:
        base = identifier(text, fallback)
        if _reserved_prefix(base) and not (self.owned and base.startswith(self.owned)):
            base = identifier(f"n_{base}", fallback)
        name, k = base, 1
        while name in self.used:
            k += 1
            name = f"{base}_{k}"
        self.used.add(name)
        return name


def comment(text: str, limit: int = 120) -> str:
    """Printable ASCII, no comment terminators or openers, no line breaks or splices (backslash,
    trigraph), no backticks, bounded length."""
    safe = "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in str(text))
    # backslashes first: `*\` must not become `*/`
    safe = safe.replace("\\", "/").replace("`", "'")
    safe = safe.replace("*/", "*_/").replace("/*", "/_*").replace("??", "?_")
    return safe if len(safe) <= limit else safe[:limit - 3] + "..."
