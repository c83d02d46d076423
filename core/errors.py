"""User-facing errors: one class, carrying where the problem is and what to do about it.

The CLI prints a TinyccError as one clear message and exits non-zero, without a traceback;
anything else escaping is a bug in tinycc and keeps its traceback.
"""
from __future__ import annotations


class TinyccError(Exception):
    """A problem with the user's input or request (bad model, unsupported op, bad option)."""

    def __init__(self, message: str, *, file: str | None = None, node: str | None = None,
                 op: str | None = None, hint: str | None = None):
        self.message = message
        self.file = file
        self.node = node
        self.op = op
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        where = []
        if self.file:
            where.append(f"file {self.file}")
        if self.node is not None:
            where.append(f"node {self.node!r}")
        if self.op:
            where.append(f"op {self.op}")
        text = (", ".join(where) + ": " if where else "") + self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def with_file(self, file: str) -> TinyccError:
        """Return this error with the source file filled in (importers know it, kernels do not)."""
        if self.file is None:
            self.file = file
            self.args = (self.render(),)
        return self

    def with_node(self, node: str, op: str | None = None) -> TinyccError:
        """Return this error with the node (and op) filled in (shared helpers do not know them)."""
        if self.node is None:
            self.node, self.op = node, self.op or op
            self.args = (self.render(),)
        return self


class Unsupported(TinyccError):
    """The model is well formed, but uses operators or element types tinycc cannot compile. A
    backend whose runtime executes the file itself (tflm) may still take it untouched."""
