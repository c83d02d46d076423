"""An example third-party tinycc backend, installed as its own distribution.

`pip install examples/third_party_backend` and `tinycc compile MODEL --backend summary -o OUT`
writes OUT/summary.txt: one line per operator, and the memory plan's totals.
"""
from pathlib import Path

from tinycc.core.hookspec import hookimpl


class SummaryBackend:
    name = "summary"
    description = "plain-text summary of the model and its memory plan (example third-party backend)"

    def compile(self, graph, plan, outdir, options):
        lines = [f"model {graph.name}: {len(graph.nodes)} operators"]
        for i, node in enumerate(graph.nodes):
            shape = graph.tensors[node.outputs[0]].shape
            lines.append(f"{i} {node.op} -> {'x'.join(map(str, shape))}")
        lines.append(f"arena {plan.arena_bytes} bytes")
        Path(outdir, "summary.txt").write_text("\n".join(lines) + "\n")
        return {"files": ["summary.txt"], "arena_bytes": plan.arena_bytes}


@hookimpl
def tinycc_backends():
    return [SummaryBackend()]
