"""Read a `.pt2` ExportedProgram archive before PyTorch does, and hand PyTorch only what was checked.

`torch.export.load` trusts the archive: the JSON payload configs name the files it reads and
decide whether a file is unpickled (`use_pickle`: `torch.load(weights_only=False)`, or
`pickle.loads` for opaque constants), `data/aotinductor/` holds shared libraries it loads,
`guards_code` holds Python source, a node's target is any attribute of `torch`, and symbolic
shape expressions go through `sympy.sympify` (Python `eval`). So the archive is read here with
`zipfile` first:

- member paths: relative, no `..`, `.` or empty components, no backslashes, no duplicates, one
  root folder, only the folders and files `torch.export.save` writes (compiled code refused);
- payload configs: every entry raw tensor bytes (`use_pickle` false) in a file `weight_<n>` /
  `tensor_<n>` that is a member of the expected folder; pickled objects refused;
- the program JSON: node targets ATen operators (or the symbolic-shape arithmetic export
  emits), no operator or graph arguments, no custom objects, no guard code, and every symbolic
  expression made only of sympy constructors, symbol names and numbers.

The result is a new in-memory archive holding only the checked members, which is what PyTorch
loads (so it cannot read anything else, nor a file changed after the check). The example
inputs (`data/sample_inputs/`, a pickle) are written empty: tinycc does not need them, and no
pickle from the file is ever loaded.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

from tinycc.core.errors import TinyccError

MODEL = "model"                          # the one program torch.export.save writes
ROOT_FILES = {"archive_format", "archive_version", "byteorder", ".data/version", ".data/serialization_id"}
WEIGHTS_DIR, CONSTANTS_DIR = "data/weights/", "data/constants/"
CONFIGS = {f"{WEIGHTS_DIR}{MODEL}_weights_config.json": (WEIGHTS_DIR, "weight_"),
           f"{CONSTANTS_DIR}{MODEL}_constants_config.json": (CONSTANTS_DIR, "tensor_")}
PROGRAM = f"models/{MODEL}.json"
SAMPLE_INPUTS = f"data/sample_inputs/{MODEL}.pt"
CODE_DIRS = ("data/aotinductor/", "data/executorch/", "data/mtia", "xl_model_weights/")
MAX_BYTES = 1 << 30                      # uncompressed total; an MCU model is far smaller

# Symbolic-shape arithmetic torch.export emits as node targets (torch/_export/serde/serialize.py _SYM_OPS).
_PY_OPERATORS = ("add", "sub", "mul", "floordiv", "truediv", "mod", "neg", "pos", "eq",  # arch: not operators
                 "ne", "lt", "le", "gt", "ge", "and_", "or_", "not_", "pow")
_MATH = ("ceil", "floor", "trunc", "sqrt")  # arch: not operators
SYM_TARGETS = ({f"_operator.{n}" for n in _PY_OPERATORS} | {f"math.{n}" for n in _MATH}
               | {f"torch.{n}" for n in ("sym_int", "sym_float", "sym_ite", "sym_max", "sym_min", "sym_not",
                                         "sym_sqrt", "sym_sum", "_sym_sqrt")})
# PT2E's quantize/dequantize (convert_pt2e): pure functions of tensors and numbers, defined by torch itself
QUANT_TARGETS = {f"torch.ops.quantized_decomposed.{op}_per_{kind}.default"
                 for op in ("quantize", "dequantize") for kind in ("tensor", "channel")}
ATEN_TARGET = re.compile(r"torch\.ops\.aten\.([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)")
ATEN_WITH_EFFECTS = {"save", "from_file", "_print", "warn", "_test_warn_in_autograd", "record_stream"}

# sympy.srepr output: constructors, symbol names in quotes, numbers, keyword flags.
SYMPY_NAMES = {
    "Symbol", "Dummy", "Integer", "Float", "Rational", "Half", "One", "Zero", "NegativeOne", "Add", "Mul", "Pow",
    "Mod", "Max", "Min", "Abs", "Eq", "Ne", "Lt", "Le", "Gt", "Ge", "Equality", "Unequality", "StrictLessThan",
    "StrictGreaterThan", "LessThan", "GreaterThan", "And", "Or", "Not", "Piecewise", "ITE", "true", "false",
    "True", "False", "BooleanTrue", "BooleanFalse", "oo", "Infinity", "NegativeInfinity", "IntInfinity",
    "NegativeIntInfinity", "int_oo", "floor", "ceiling",  # arch: not operators
    # torch.utils._sympy.functions, the names the deserializer passes to sympify
    "FloorDiv", "ModularIndexing", "Where", "PythonMod", "CleanDiv", "CeilToInt", "FloorToInt", "CeilDiv",
    "LShift", "RShift", "PowByNatural", "FloatPow", "FloatTrueDiv", "IntTrueDiv",
    "IsNonOverlappingAndDenseIndicator", "TruncToFloat", "TruncToInt", "RoundToInt", "RoundDecimal", "ToFloat",
    "Identity",
    # assumption flags (keyword arguments of Symbol)
    "integer", "positive", "nonnegative", "negative", "nonpositive", "real", "finite", "infinite", "zero",
    "nonzero", "precision", "evaluate", "commutative", "extended_real", "rational", "prime", "even", "odd",
}
EXPR_TOKEN = re.compile(r"\s+|'[A-Za-z0-9_.+\-]*'|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|[A-Za-z_][A-Za-z0-9_]*"
                        r"|[-+*/%(),=<>]")
SYMBOL_NAME = re.compile(r"[a-z]+[0-9]+")


def _refuse(path, message: str, hint: str) -> TinyccError:
    return TinyccError(message, file=str(path), hint=hint)


def _pickled(path, what: str) -> TinyccError:
    return _refuse(path, f"the archive holds pickled Python objects ({what}); tinycc does not unpickle "
                   "anything from model files", "export a program whose weights and constants are plain "
                   "tensors: torch.export.save(torch.export.export(model, args), 'model.pt2')")


def _member_name(path, name: str) -> list[str]:
    hint = "save the program with torch.export.save; do not edit the archive by hand"
    parts = name.split("/")
    if (not name or name.startswith("/") or "\\" in name or ":" in parts[0] or "\x00" in name
            or any(p in ("", ".", "..") for p in parts)):
        raise _refuse(path, f"archive member {name!r} has an unsafe path (absolute, '..', '.', empty or "
                      "backslash components)", hint)
    if len(parts) < 2:
        raise _refuse(path, f"archive member {name!r} is outside the archive's root folder", hint)
    return parts


def _config(path, rel: str, data: bytes, members: dict[str, bytes]) -> set[str]:
    """The payload files a weights/constants config names, after checking every entry."""
    folder, prefix = CONFIGS[rel]
    hint = "export a program whose weights and constants are plain tensors"
    try:
        cfg = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _refuse(path, f"{rel} is not valid JSON ({exc})", hint) from None
    entries = cfg.get("config") if isinstance(cfg, dict) else None
    if not isinstance(entries, dict):
        raise _refuse(path, f"{rel} has no 'config' mapping", hint)
    used = set()
    for fqn, meta in entries.items():
        if not isinstance(meta, dict) or not isinstance(meta.get("path_name"), str):
            raise _refuse(path, f"{rel}: entry {fqn!r} has no path_name", hint)
        name = meta["path_name"]
        if meta.get("use_pickle") is not False:
            raise _pickled(path, f"{rel}: entry {fqn!r} -> {name!r} has use_pickle "
                           f"{json.dumps(meta.get('use_pickle'))}")
        if not re.fullmatch(re.escape(prefix) + r"[0-9]+", name):
            if name.startswith(("custom_obj_", "opaque_obj_")) or name.endswith((".pt", ".pkl")):
                raise _pickled(path, f"{rel}: entry {fqn!r} -> {name!r}")
            raise _refuse(path, f"{rel}: entry {fqn!r} names {name!r}, not a file {prefix}<n> in {folder}", hint)
        if folder + name not in members:
            raise _refuse(path, f"{rel}: entry {fqn!r} names {folder + name}, which is not in the archive", hint)
        if not isinstance(meta.get("tensor_meta"), dict):
            raise _refuse(path, f"{rel}: entry {fqn!r} has no tensor_meta", hint)
        used.add(folder + name)
    return used


def _check_expr(path, expr: str) -> None:
    hint = "export with static shapes, or re-export the program with torch.export.save"
    pos = 0
    while pos < len(expr):
        m = EXPR_TOKEN.match(expr, pos)
        if m is None:
            raise _refuse(path, f"symbolic shape expression {expr[:80]!r} holds {expr[pos:pos + 10]!r}, which "
                          "is not part of a sympy expression torch.export writes", hint)
        tok = m.group()
        if (tok[0].isalpha() or tok[0] == "_") and tok not in SYMPY_NAMES and not SYMBOL_NAME.fullmatch(tok):
            raise _refuse(path, f"symbolic shape expression {expr[:80]!r} calls or names {tok!r}, which is not "
                          "a sympy constructor torch.export writes", hint)
        pos = m.end()


def _check_target(path, node: dict) -> None:
    target = node.get("target")
    name = node.get("name")
    hint = "tinycc imports programs of ATen operators (torch.export.export of an nn.Module)"
    if not isinstance(target, str):
        raise TinyccError("node has no operator target", file=str(path), node=name, hint=hint)
    m = ATEN_TARGET.fullmatch(target)
    if m and m.group(1) not in ATEN_WITH_EFFECTS:
        return
    if target in SYM_TARGETS or target in QUANT_TARGETS:
        return
    raise TinyccError("node calls something other than a pure ATen operator (a higher-order, custom or "
                      "side-effecting operator, or a Python callable)", file=str(path), node=name, op=target,
                      hint=hint)


def _check_program(path, data: bytes) -> None:
    hint = "save the program with torch.export.save(torch.export.export(model, args), 'model.pt2')"
    try:
        program = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _refuse(path, f"{PROGRAM} is not valid JSON ({exc})", hint) from None
    if not isinstance(program, dict) or not isinstance(program.get("graph_module"), dict):
        raise _refuse(path, f"{PROGRAM} holds no graph_module", hint)
    if program.get("guards_code"):
        raise _refuse(path, "the program carries guard code (Python source PyTorch would compile); tinycc "
                      "runs no code from model files", "export with static shapes")
    stack: list[object] = [program]
    while stack:
        obj = stack.pop()
        if isinstance(obj, list):
            stack.extend(obj)
            continue
        if not isinstance(obj, dict):
            continue
        if "target" in obj:                            # only a Node has a target field
            _check_target(path, obj)
        for key, value in obj.items():
            if key in ("as_operator", "as_graph", "as_custom_obj", "custom_obj") or (
                    key == "custom_obj_values" and value):
                raise _refuse(path, f"the program passes {key.replace('as_', '')} values (operators, "
                              "subgraphs or script objects); tinycc imports plain tensor programs",
                              "export a model built from standard layers, without torchbind objects or "
                              "control-flow operators")
            if key == "expr_str":
                if not isinstance(value, str):
                    raise _refuse(path, "a symbolic shape expression is not a string", hint)
                _check_expr(path, value)
            elif isinstance(value, (dict, list)):
                stack.append(value)


def checked_archive(path: Path) -> io.BytesIO:
    """A new in-memory `.pt2` holding only the checked members of `path` (see the module docstring)."""
    hint = "save it with torch.export.save(torch.export.export(model, args), 'model.pt2')"
    try:
        raw = Path(path).read_bytes()
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(path, f"not a readable ExportedProgram archive ({exc})", hint) from None
    if sum(i.file_size for i in infos) > MAX_BYTES:
        raise _refuse(path, f"the archive unpacks to more than {MAX_BYTES >> 20} MiB", hint)
    root, members, seen = None, {}, set()
    for info in infos:
        name = info.filename
        if name in seen:
            raise _refuse(path, f"archive member {name!r} appears twice", hint)
        seen.add(name)
        if name.endswith("/") and info.file_size == 0:
            _member_name(path, name + "x")
            continue                                   # a folder entry: no data
        parts = _member_name(path, name)
        if root is None:
            root = parts[0]
        elif parts[0] != root:
            raise _refuse(path, f"archive members lie in two root folders ({root!r}, {parts[0]!r})", hint)
        rel = "/".join(parts[1:])
        if rel.startswith(CODE_DIRS):
            raise _refuse(path, f"the archive holds compiled code ({name}); tinycc loads no code from model files",
                          "save the exported program itself (torch.export.save), not an AOTInductor package")
        if rel.startswith(("data/", "models/")) and rel.rsplit("/", 1)[-1].startswith(("custom_obj_", "opaque_obj_")):
            raise _pickled(path, name)
        if rel in (f"{WEIGHTS_DIR}{MODEL}.pt", f"{CONSTANTS_DIR}{MODEL}.pt"):
            raise _pickled(path, f"{name}, PyTorch's legacy pickled weights")
        try:
            members[rel] = archive.read(info)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
            raise _refuse(path, f"archive member {name!r} is unreadable ({exc})", hint) from None
    if root is None or members.get("archive_format") != b"pt2" or PROGRAM not in members:
        raise _refuse(path, "not an ExportedProgram archive (no archive_format 'pt2' or no models/model.json)", hint)
    keep = {rel for rel in members if rel in ROOT_FILES or rel == PROGRAM}
    for rel in members:
        if rel in ROOT_FILES or rel == PROGRAM or rel in CONFIGS or rel == SAMPLE_INPUTS or rel.startswith("extra/"):
            continue
        if not rel.startswith((WEIGHTS_DIR, CONSTANTS_DIR)):
            raise _refuse(path, f"unexpected archive member {root}/{rel} (torch.export.save writes no such file)",
                          hint)
    for rel in CONFIGS:
        if rel not in members:
            raise _refuse(path, f"the archive has no {rel}", hint)
        keep |= {rel} | _config(path, rel, members[rel], members)
    _check_program(path, members[PROGRAM])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as clean:
        for rel in sorted(keep):
            clean.writestr(f"{root}/{rel}", members[rel])
        clean.writestr(f"{root}/{SAMPLE_INPUTS}", b"")        # example inputs: never unpickled
    out.seek(0)
    return out
