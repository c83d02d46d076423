"""Names from a model are data, in every backend: node, tensor, graph, source and `--name` text
with quotes, comment terminators, newlines, `#include`, backslashes, trigraphs, unicode, NULs,
10 KB, C keywords, the kernels' own identifiers, and names that collide after sanitising (or
outright: node names repeat, a tensor is named like the operands the tflm writer makes).

Two hostile models, compiled through c, cmsis-nn, microtvm, tflm and stm32cubeai with
`tinycc.driver.compile_model` (a Graph goes in as it is):
- the bundled int8 keyword spotter (examples/tiny_kws_int8.tflite) with every name replaced;
- a small float model built here (asymmetric pads, so the tflm writer adds a PAD; two inputs
  and two outputs), also through microtvm's float (Relax) path.
Each output folder: all text ASCII; no line starts with the injected `#include`; in C/C++ the
hostile text appears only inside comments and string literals, no comment body holds `/*` or
`*/`, no `//` comment ends in a backslash, no `??` anywhere; every `#include` names a standard
header, a file of the folder or the vendor's; JSON files parse. The C builds with -std=c99
-Wall -Wextra -Werror -pedantic (c, cmsis-nn, microtvm, stm32cubeai's App) and runs bit-exact
with tinycc's reference interpreter on 3 random inputs (float outputs: within 1e-5); the tflm
.cc files pass g++ -fsyntax-only against the stand-in TFLM headers, and the flatbuffer it ships
runs in TF Lite Micro exactly like the reference.
"""
from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import CC, CFLAGS, HARNESS, run_exe
from tests.ops.check import random_inputs
from tests.tflm import run_tflm
from tinycc.backends.c.names import STD_HEADERS, Namer, comment, kernel_identifiers, model_name
from tinycc.core import interpreter
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.validate import validate
from tinycc.driver import compile_model
from tinycc.plugins.importers.tflite import load_tflite

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "tiny_kws_int8.tflite"
INJECT = "#include <evil.h>"
HOSTILE = ['conv"; system("rm -rf /"); //', "a*/ int evil; /*", f"line\nbreak\n{INJECT}\n", f"\n{INJECT}",
           "back\\slash\\", "*\\", "/\\*", "ünïcödé ✓ \u202e\U0001F600", "x" * 10_000, "y" * 10_000, "int", "main",
           "0digit", "__reserved", "??/", "??=define evil", "a-b", "a.b", "a b", "a_b", "", "\r\n\t\x00\x7f",
           "tinycc_conv", "tinycc_dw", "arena", "model_invoke", "NULL", "`tick` <b>", "%s%n{{ name }}",
           "string", "cmsis_nn_conv", "tvmgen_model_run"]
# node names by op: the kernels' typedefs (tinycc_conv -> tinycc_conv_shape), repeats, 10 KB, injections
NODE_NAMES = {"conv_2d": "tinycc_conv", "depthwise_conv_2d": "tinycc_dw", "average_pool_2d": "tinycc_pool",
              "max_pool_2d": "tinycc_pool", "add": "tinycc_addsub", "fully_connected": "dup",
              "softmax": "dup", "reshape": "z" * 10_000}
HOSTILE_NAME = f"evil*/\n{INJECT}\n\\"
HEADERS_OK = {"arm_nnfunctions.h", "arm_acle.h", "arm_mve.h", "cstdint", "cstring",
              "tensorflow/lite/micro/micro_interpreter.h", "tensorflow/lite/micro/micro_log.h",
              "tensorflow/lite/micro/micro_mutable_op_resolver.h", "tensorflow/lite/schema/schema_generated.h",
              "TensorFlowLite.h"}
C_SUFFIXES = (".c", ".h", ".cc", ".ino")


def hostile(g: Graph) -> Graph:
    """`g` with every name replaced by a hostile one (a deep copy). A reshape's input tensor is
    named "<reshape node>/shape" and a padded convolution's input "<node>/padded": the names of
    the operands the tflm writer adds."""
    g = copy.deepcopy(g)
    new = {old: HOSTILE[k] if k < len(HOSTILE) else f"{HOSTILE[k % len(HOSTILE)]}#{k}"
           for k, old in enumerate(g.tensors)}
    for node in g.nodes:
        node.name = NODE_NAMES.get(node.op, node.name + "*/")
    for node in g.nodes:
        if node.op == "reshape":
            new[node.inputs[0]] = f"{node.name}/shape"
        if node.op in ("conv_2d", "depthwise_conv_2d") and any(node.attrs.get("pads", ())):
            new[node.inputs[0]] = f"{node.name}/padded"
    assert len(set(new.values())) == len(new)
    g.tensors = {new[k]: t for k, t in g.tensors.items()}
    for name, t in g.tensors.items():
        t.name = name
    for node in g.nodes:
        node.inputs = [None if n is None else new[n] for n in node.inputs]
        node.outputs = [new[n] for n in node.outputs]
    g.inputs, g.outputs = [new[n] for n in g.inputs], [new[n] for n in g.outputs]
    g.name = f"graph*/\n{INJECT}\n"
    g.source = f"/tmp/evil*/\n{INJECT}\\`tick` <b>.tflite"
    return g


def float_model() -> Graph:
    """conv (asymmetric pads, relu) -> add (second input) -> max pool -> reshape -> fc -> softmax;
    outputs: the softmax and the add."""
    rng = np.random.default_rng(7)
    t = {}

    def tensor(name, shape, data=None):
        t[name] = Tensor(name, tuple(shape), "float32", data=None if data is None else data.astype(np.float32))
        return name

    tensor("x", (1, 6, 6, 2))
    tensor("z", (1, 5, 5, 4))
    tensor("w", (4, 3, 3, 2), rng.normal(size=(4, 3, 3, 2)))
    tensor("b", (4,), rng.normal(size=4))
    tensor("c", (1, 5, 5, 4))
    tensor("a", (1, 5, 5, 4))
    tensor("p", (1, 2, 2, 4))
    tensor("r", (1, 16))
    tensor("fw", (3, 16), rng.normal(size=(3, 16)))
    tensor("fb", (3,), rng.normal(size=3))
    tensor("f", (1, 3))
    tensor("s", (1, 3))
    nodes = [Node("conv", "conv_2d", ["x", "w", "b"], ["c"], {"pads": (1, 1, 0, 0), "activation": "relu"}),
             Node("add", "add", ["c", "z"], ["a"]),
             Node("pool", "max_pool_2d", ["a"], ["p"], {"kernel": (2, 2), "strides": (2, 2)}),
             Node("flat", "reshape", ["p"], ["r"], {"shape": (1, 16)}),
             Node("fc", "fully_connected", ["r", "fw", "fb"], ["f"]),
             Node("sm", "softmax", ["f"], ["s"])]
    return validate(Graph("small_float", t, nodes, ["x", "z"], ["s", "a"], source="small_float.tflite"))


def kws() -> Graph:
    return load_tflite(EXAMPLE)


# ---- what may appear where ----

def split_c(text: str) -> tuple[str, list[str], list[str], list[str]]:
    """(code with comments and literals blanked, block comment bodies, line comments, literals)."""
    code, blocks, lines, literals = [], [], [], []
    i, n = 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            assert end >= 0, f"unterminated comment at {text[i:i + 80]!r}"
            blocks.append(text[i + 2:end])
            code.append(" ")
            i = end + 2
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            lines.append(text[i + 2:end])
            i = end
        elif text[i] in "\"'":
            m = re.compile(r"%s(\\.|[^%s\\\n])*%s" % ((text[i],) * 3)).match(text, i)
            assert m, f"unterminated literal at {text[i:i + 80]!r}"
            literals.append(m.group(0))
            code.append(" ")
            i = m.end()
        else:
            code.append(text[i])
            i += 1
    return "".join(code), blocks, lines, literals


def assert_clean_folder(out: Path) -> list[Path]:
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert files
    local = {p.name for p in files}
    for p in files:
        if p.suffix == ".tflite":
            continue
        raw = p.read_bytes()
        assert all(b < 128 for b in raw), f"{p.name}: non-ASCII bytes"
        text = raw.decode("ascii")
        where = p.relative_to(out)
        assert not any(line.lstrip().startswith(INJECT) for line in text.splitlines()), f"{where}: injected #include"
        if p.suffix == ".json":
            json.loads(text)
        if p.suffix in (".md", ".txt", ".properties"):
            # Markdown code spans stay closed: the hostile backtick never arrives
            assert "`tick`" not in text, where
        if p.suffix not in C_SUFFIXES:
            continue
        assert "??" not in text, f"{where}: a trigraph sequence"
        code, blocks, lines, literals = split_c(text)
        for body in blocks:
            assert "/*" not in body, f"{where}: '/*' inside a comment: {body[:120]!r}"
        for body in lines:
            assert not body.endswith("\\"), f"{where}: a // comment continued by a backslash"
        for bad in ("evil.h", "int evil;", "system(", "rm -rf", "{{", "%n", "tick"):
            assert bad not in code, f"{where}: {bad!r} outside comments and literals"
        for literal in literals:          # string literals come from the templates, never from names
            assert "evil" not in literal.lower().replace(model_name(HOSTILE_NAME).lower(), ""), f"{where}: {literal}"
        longest = max(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code), key=len)
        assert len(longest) <= 100, f"{where}: a {len(longest)}-character identifier"
        for m in re.finditer(r"^\s*#\s*include\s*(\S+)", text, re.M):
            header = m.group(1).strip('<>"')
            assert header in HEADERS_OK or header[:-2] in STD_HEADERS or header in local, \
                f"{where}: #include {m.group(1)}"
    return files


# ---- building and running ----

SHIM = """#include "{name}.h"
#define MODEL_NUM_INPUTS {N}_NUM_INPUTS
#define MODEL_NUM_OUTPUTS {N}_NUM_OUTPUTS
#define model_input_bytes {name}_input_bytes
#define model_output_bytes {name}_output_bytes
#define model_invoke {name}_invoke
"""


def build_and_run(out: Path, name: str, g: Graph, samples, extra=()) -> list:
    """Every .c of the folder with the harness (through a shim: the harness calls model_*),
    strict flags; the outputs of all samples."""
    shim = out.parent / f"{out.name}-shim"
    shim.mkdir()
    (shim / "model.h").write_text(SHIM.format(name=name, N=name.upper()))
    sources = [str(p) for p in sorted(out.rglob("*.c")) if "Core" not in p.parts]
    includes = sorted({str(p.parent) for p in out.rglob("*.h")})
    exe = shim / "run"
    cmd = [CC, *CFLAGS, f"-I{shim}", *[f"-I{i}" for i in includes], *sources, str(HARNESS), *extra, "-o", str(exe),
           "-lm"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return run_exe(exe, g, samples)


def assert_equal_reference(g, samples, outs, float_tol=1e-5):
    """Integer outputs bit-exact with the reference interpreter, float ones within float_tol."""
    for k, xs in enumerate(samples):
        for i, (o, e) in enumerate(zip(outs[k], interpreter.run(g, xs))):
            o = np.asarray(o).reshape(e.shape)
            if e.dtype == np.float32:
                np.testing.assert_allclose(o, e, rtol=float_tol, atol=float_tol, err_msg=f"sample {k}, output {i}")
            else:
                np.testing.assert_array_equal(o, e, err_msg=f"sample {k}, output {i}")


def check_tflm(out: Path, name: str, g: Graph, samples, tmp_path: Path):
    from tests.test_tflm_backend import STUB, STUB_HEADERS, _arduino_shim
    stub = tmp_path / "stub"
    for header in STUB_HEADERS:
        (stub / header).parent.mkdir(parents=True, exist_ok=True)
        (stub / header).write_text("#pragma once\n" + (STUB if header.endswith("micro_interpreter.h") else
                                                          '#include "tensorflow/lite/micro/micro_interpreter.h"\n'))
    if shutil.which("g++") is None:
        pytest.skip("g++ is needed for the syntax check")
    for src in (f"{name}_model_data.cc", f"{name}_main.cc"):
        cc = subprocess.run(["g++", "-std=c++17", "-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-I", str(stub),
                             "-I", str(out), str(out / src)], capture_output=True, text=True)
        assert cc.returncode == 0, cc.stderr[-3000:]
    (stub / "TensorFlowLite.h").write_text("#pragma once\n")
    ino = subprocess.run(["g++", "-std=c++17", "-fsyntax-only", "-Wall", "-Werror", "-x", "c++", "-include", "cstdint",
                          "-I", str(stub), "-I", str(out / name), "-"],
                          input=_arduino_shim() + (out / name / f"{name}.ino").read_text(),
                         capture_output=True, text=True)
    assert ino.returncode == 0, ino.stderr[-3000:]
    model = (out / f"{name}.tflite").read_bytes()
    for xs in samples:
        for o, e in zip(run_tflm(model, xs), interpreter.run(g, xs)):
            o = np.asarray(o).reshape(e.shape)
            if e.dtype == np.float32:
                np.testing.assert_allclose(o, e, rtol=1e-5, atol=1e-5)
            else:
                np.testing.assert_array_equal(o, e)


CASES = [("kws", "c"), ("kws", "cmsis-nn"), ("kws", "microtvm"), ("kws", "tflm"), ("kws", "stm32cubeai"),
         ("float", "c"), ("float", "microtvm"), ("float", "tflm")]


@pytest.mark.parametrize("model,backend", CASES)
def test_hostile_names_stay_data_in_every_backend(model, backend, tmp_path):
    g = hostile(kws() if model == "kws" else float_model())
    options = {}
    extra = []
    if backend == "microtvm":
        pytest.importorskip("tvm", reason="the tvm extra is not installed (pip install 'tinycc-ml[tvm]')")
    if backend == "cmsis-nn":
        from tests.cmsis_nn_source import cmsis_nn_root, host_library
        root = cmsis_nn_root()
        if root is None:
            pytest.skip("CMSIS-NN is not available (set CMSIS_NN_PATH, or allow pip to download it)")
        extra = [f"-I{root / 'Include'}", str(host_library(root))]
    if backend == "tflm":
        options["board"] = "arduino-nano-33-ble"
    out = tmp_path / "out"
    report = compile_model(copy.deepcopy(g), backend, out, name=HOSTILE_NAME, options=options)
    name = model_name(HOSTILE_NAME, "network" if backend == "stm32cubeai" else "model")
    assert name == "evil_include_evil_h_" + name.rsplit("_", 1)[1]
    assert_clean_folder(out)
    rng = np.random.default_rng(11)
    samples = [random_inputs(g, rng) for _ in range(3)]
    if backend == "tflm":
        check_tflm(out, name, g, samples, tmp_path)
        return
    if backend == "stm32cubeai":
        app = out / "X-CUBE-AI" / "App"
        for src in [*app.glob("*.c"), out / "Core" / "Src" / "main.c"]:
            proc = subprocess.run([CC, *CFLAGS, "-I", str(app), "-c", str(src), "-o", str(tmp_path / "x.o")],
                                  capture_output=True, text=True)
            assert proc.returncode == 0, proc.stderr[-3000:]
        json.loads((out / f"{name}_report.json").read_text())
        name = f"tinycc_{name}"
    if backend == "microtvm":
        meta = json.loads((out / "metadata.json").read_text())
        assert meta["name"] == name
    outs = build_and_run(out, name, g, samples, extra)
    assert_equal_reference(g, samples, outs, float_tol=1e-5)
    assert report["files"]


def test_reserved_model_names_never_shadow_headers_or_kernels():
    assert model_name("string") == "m_string" and model_name("stdint") == "m_stdint"
    assert model_name("tinycc_conv").startswith("m_") and model_name("arm_nn").startswith("m_")
    assert model_name("kws") == "kws" and model_name(None) == "model" and model_name("", "network") == "network"


def test_namer_keeps_off_the_kernels_and_vendors():
    namer = Namer(reserved=kernel_identifiers(), owned="tinycc_net")
    got = [namer(t) for t in ["tinycc_conv_shape", "tinycc_addsub_s8", "arm_convolve_s8", "cmsis_nn_dims",
                              "tvmgen_x", "tinycc_net_w", "tinycc_net_w", "conv_shape"]]
    assert got[:5] == ["n_tinycc_conv_shape", "n_tinycc_addsub_s8", "n_arm_convolve_s8", "n_cmsis_nn_dims",
                       "n_tvmgen_x"]
    assert got[5:] == ["tinycc_net_w", "tinycc_net_w_2", "conv_shape"]      # the model's own prefix is its own


def test_comments_never_close_or_open():
    for text in ["*\\", "/\\*", "*/*/", "/*/", "a??/", "????", "\\\\*/", "*" * 200 + "\\"]:
        c = comment(text, 80)
        assert "*/" not in c and "/*" not in c and "??" not in c and "\\" not in c, (text, c)


def test_hostile_name_through_the_command_line(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(EXAMPLE), "--name", HOSTILE_NAME,
                           "-o", str(out)], capture_output=True, text=True,
                           env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    name = model_name(HOSTILE_NAME)
    assert {f"{name}.c", f"{name}.h", f"{name}_weights.c", f"{name}_weights.h"} <= {p.name for p in out.iterdir()}
    assert_clean_folder(out)
    g = kws()
    samples = [random_inputs(g, np.random.default_rng(2))]
    assert_equal_reference(g, samples, build_and_run(out, name, g, samples))
