"""Names from a model are data: identifiers are sanitised and unique, comments cannot close."""
from __future__ import annotations

import re

from tinycc.backends.c.names import Namer, comment, identifier

HOSTILE = ['conv"; system("rm -rf /"); //', "a*/ int x; /*", "line\nbreak", "#include <stdio.h>",
           "back\\slash", "ünïcödé ✓", "x" * 10_000, "int", "0starts_with_digit", "__reserved", "??/"]


def test_identifiers_are_valid_c_and_bounded():
    for text in HOSTILE:
        ident = identifier(text)
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", ident), (text, ident)
        assert len(ident) <= 48
        assert "__" not in ident
    assert identifier("conv_1") == "conv_1"          # clean names stay readable
    assert identifier("int") != "int"                # keywords are never emitted as-is


def test_colliding_names_get_distinct_identifiers():
    namer = Namer()
    got = [namer(t) for t in ["a.b", "a-b", "a b", "a_b", "a_b"]]
    assert len(set(got)) == len(got), got


def test_comments_cannot_terminate_or_splice():
    for text in HOSTILE:
        c = comment(text)
        assert "*/" not in c and "/*" not in c and "\n" not in c and "\\" not in c and "??" not in c
        assert all(32 <= ord(ch) < 127 for ch in c)
        assert len(c) <= 120
