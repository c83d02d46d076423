"""Architecture figures issue #16 tracks: import cycles, and lines outside `ops/` folders that name
an operator.

    python benchmarks/arch_metrics.py [--list]

Import cycles: strongly connected components of the import graph of the package's modules
(every `import`, including those inside functions, read with `ast`). Operator-naming lines: lines
of Python source outside any `ops/` folder (or per-operator folder such as `onnx_ops/`; tests, benchmarks and
examples excluded) holding a
string literal equal to a core operator name ("conv_2d") or a TFLite builtin name ("CONV_2D"),
except where the literal names a command-line option that shares an operator's name (`--quantize`):
an attribute name (getattr(args, "quantize")), a key of `options` / `opts` / `args` (.get("quantize"),
["quantize"], options = {"quantize": ...}). Those lines name no operator.
"""
from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIRS = {"tinycc": ROOT / "tinycc", "tinycc.core": ROOT / "core", "tinycc.plugins": ROOT / "plugins",
                "tinycc.backends": ROOT / "backends"}
SKIP = ("tests", "benchmarks", "examples", ".venv", "build")


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for pkg, folder in PACKAGE_DIRS.items():
        for path in folder.rglob("*.py"):
            if any(part in SKIP for part in path.relative_to(ROOT).parts):
                continue
            rel = path.relative_to(folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            found[".".join([pkg, *parts])] = path
    return found


def import_graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        is_pkg = path.name == "__init__.py"
        base = mod.split(".") if is_pkg else mod.split(".")[:-1]
        tree = ast.parse(path.read_text(), str(path))
        typing_only = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in typing_only:        # `if TYPE_CHECKING:` imports exist for annotations only
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    anchor = base[:len(base) - (node.level - 1)]
                    prefix = ".".join(anchor + ([node.module] if node.module else []))
                else:
                    prefix = node.module or ""
                targets = [prefix] + [f"{prefix}.{a.name}" for a in node.names]
            for t in targets:
                while t and t not in mods:
                    t = t.rpartition(".")[0]
                if t and t != mod and not mod.startswith(t + "."):   # a package's own __init__ is no cycle
                    graph[mod].add(t)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of size > 1."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    sys.setrecursionlimit(10000)

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of every node inside an `if TYPE_CHECKING:` block (never run: no import dependency)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
                (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
                or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")):
            for stmt in node.body:
                inside |= {id(n) for n in ast.walk(stmt)}
    return inside


def operator_names() -> set[str]:
    sys.path.insert(0, str(ROOT.parent))
    from tinycc.core import ops
    names = set(ops.supported())
    try:
        from tinycc.plugins.importers.tflite import OP_MAP
        names |= set(OP_MAP)
    except Exception:
        pass
    return names


OPTION_HOLDERS = {"options", "opts", "args"}
NOT_OPERATORS = "# arch: not operators"      # a line whose names are another language's (Python's, sympy's)


def _option_keys(tree: ast.AST, names: set[str]) -> set[int]:
    """ids of the string constants that name an attribute or an option, not an operator."""
    def holder(node) -> bool:
        return isinstance(node, ast.Name) and node.id in OPTION_HOLDERS

    keys: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("getattr", "hasattr", "setattr") and len(node.args) >= 2:
            keys.append(node.args[1])
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "pop") \
                and holder(node.func.value) and node.args:
            keys.append(node.args[0])
        elif isinstance(node, ast.Subscript) and holder(node.value):
            keys.append(node.slice)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) and any(holder(t) for t in node.targets):
            keys += [k for k in node.value.keys if k is not None]
        elif isinstance(node, ast.Subscript):          # x["shape"]: a field of a record, not an operator
            keys.append(node.slice)
        elif isinstance(node, ast.Dict) and not all(   # a record ({"dtype": .., "shape": ..}), not an op table
                isinstance(k, ast.Constant) and k.value in names for k in node.keys if k is not None):
            keys += [k for k in node.keys if k is not None]
    return {id(k) for k in keys if isinstance(k, ast.Constant)}


def op_lines(mods: dict[str, Path], names: set[str]) -> list[str]:
    hits = []
    for _mod, path in sorted(mods.items()):
        if any(part == "ops" or part.endswith("_ops") for part in path.relative_to(ROOT).parts[:-1]):
            continue
        lines = path.read_text().splitlines()
        marked: set[int] = set()
        tree = ast.parse("\n".join(lines), str(path))
        options = _option_keys(tree, names)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names \
                    and id(node) not in options:
                marked.add(node.lineno)
        hits += [f"{path.relative_to(ROOT)}:{n}: {lines[n - 1].strip()[:100]}" for n in sorted(marked)
                 if NOT_OPERATORS not in lines[n - 1]]
    return hits


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="list the cycles and the operator-naming lines")
    args = ap.parse_args(argv)
    mods = modules()
    found = cycles(import_graph(mods))
    hits = op_lines(mods, operator_names())
    if args.list:
        for c in found:
            print("cycle:", " <-> ".join(c))
        for h in hits:
            print(h)
    print(f"modules {len(mods)}, import cycles {len(found)}, lines naming an operator outside ops/ {len(hits)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
