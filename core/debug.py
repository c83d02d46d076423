"""Debug views of a graph: every intermediate tensor made a model output.

A runtime that only returns model outputs (a built C program, TF Lite Micro) shows its
intermediate tensors when run on `with_all_outputs(g)`: the same computation, with each node's
result also written out. `tinycc compare --per-layer` uses it to find the first layer where two
runtimes diverge.
"""
from __future__ import annotations

import copy
import dataclasses

from tinycc.core.graph import Graph


def layer_tensors(g: Graph) -> list[str]:
    """Every tensor a node produces, in execution order, once each."""
    seen, names = set(g.inputs), []
    for node in g.nodes:
        for t in node.outputs:
            if t not in seen and not g.tensors[t].is_const:
                seen.add(t)
                names.append(t)
    return names


def with_all_outputs(g: Graph) -> Graph:
    """A copy of `g` whose outputs are every layer's result (model outputs included, in order).

    The copy no longer claims a source file format, so runtimes that would otherwise run the
    user's original file (a .tflite flatbuffer) run this graph instead."""
    g2 = copy.copy(g)
    g2.outputs = layer_tensors(g)
    g2.metadata = dataclasses.replace(g.metadata, format="", debug="all tensors are outputs")
    return g2
