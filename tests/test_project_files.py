"""Every backend's output folder is a drop-in: README, CMake library, toolchain file, PlatformIO
manifest, Zephyr module (backends/project_files).

- c, cmsis-nn, microtvm: the folder's CMakeLists.txt configures and builds on the host with a main
  calling NAME_invoke through the README's size macros, and the program's output equals TF Lite
  Micro's on the same input; the README's own example builds and runs; the shipped
  cmake/arm-none-eabi.cmake cross-builds the same program for a Cortex-M4 (an ARM v7E-M ELF).
- The Zephyr module's CMakeLists.txt builds the same program under a stand-in of Zephyr's CMake
  functions; module.yml parses and names folders that exist.
- library.json has PlatformIO's required fields in their documented form and names sources that
  exist (and passes platformio's own ManifestSchema when platformio is installed).
- tflm: the CMake library compiles against stand-in TF Lite Micro headers.
- --board with the c backend budgets against the board, with `tinycc report`'s own totals.
- The generated model C is byte-identical to the c backend's generator: the folder only gains files.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.tflm import run_tflm
from tinycc.boards import STACK_RESERVE_BYTES, board
from tinycc.driver import compile_model

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "tiny_kws_int8.tflite"
NEEDS_CMAKE = pytest.mark.skipif(shutil.which("cmake") is None or shutil.which("cc") is None,
                                 reason="cmake and a host C compiler are needed (.ci/run installs them)")
NEEDS_ARM = pytest.mark.skipif(shutil.which("cmake") is None or shutil.which("arm-none-eabi-gcc") is None,
                               reason="cmake and arm-none-eabi-gcc are needed (.ci/run installs them)")
WARNINGS = "-Wall -Wextra -Werror -pedantic"

# a main that reads the input from a file and writes the output: the real bytes, compared with TFLM
IO_MAIN = r"""
#include <stdint.h>
#include <stdio.h>
#include "kws.h"
static int8_t in0[KWS_INPUT0_BYTES], out0[KWS_OUTPUT0_BYTES];
int main(int argc, char **argv) {
    const void *inputs[KWS_NUM_INPUTS] = { in0 };
    void *outputs[KWS_NUM_OUTPUTS] = { out0 };
    FILE *f = fopen(argv[1], "rb");
    if (argc < 2 || f == NULL || fread(in0, 1, sizeof in0, f) != sizeof in0) return 10;
    fclose(f);
    if (kws_invoke(inputs, outputs) != 0) return 11;
    fwrite(out0, 1, sizeof out0, stdout);
    return 0;
}
"""

APP_CMAKE = """cmake_minimum_required(VERSION 3.13)
project(app C)
add_subdirectory({folder} kws)
add_executable(readme_example readme_example.c)
target_link_libraries(readme_example PRIVATE kws)
{io_main}
"""

# Zephyr's CMake functions as the module uses them, over plain CMake (zephyr_library_named is a macro there too)
FAKE_ZEPHYR = """cmake_minimum_required(VERSION 3.13)
project(fake_zephyr C)
set(CONFIG_TINYCC_KWS y)
set(ZEPHYR_CURRENT_MODULE_DIR {folder})
macro(zephyr_library_named name)
  set(ZEPHYR_CURRENT_LIBRARY ${{name}})
  add_library(${{name}} STATIC)
endmacro()
function(zephyr_library_sources)
  target_sources(${{ZEPHYR_CURRENT_LIBRARY}} PRIVATE ${{ARGN}})
endfunction()
function(zephyr_include_directories)
  include_directories(${{ARGN}})
endfunction()
include({folder}/{cmake_dir}/CMakeLists.txt)
add_executable(io_main io_main.c)
target_link_libraries(io_main PRIVATE tinycc_kws m)
"""


def compile_folder(tmp_path: Path, backend: str, **options) -> Path:
    out = tmp_path / backend
    compile_model(str(EXAMPLE), backend, out, name="kws", options=options)
    return out


def readme_example(folder: Path) -> str:
    return re.search(r"```c\n(.*?)```", (folder / "README.md").read_text(), re.S).group(1)


def cmake(src: Path, build: Path, *args: str) -> None:
    for cmd in (["cmake", "-S", str(src), "-B", str(build), *args], ["cmake", "--build", str(build)]):
        proc = subprocess.run(cmd, capture_output=True, text=True)
        assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


def app(tmp_path: Path, folder: Path, io_main: bool = True) -> Path:
    src = tmp_path / "app"
    src.mkdir()
    (src / "readme_example.c").write_text(readme_example(folder))
    (src / "io_main.c").write_text(IO_MAIN)
    extra = "add_executable(io_main io_main.c)\ntarget_link_libraries(io_main PRIVATE kws)" if io_main else ""
    (src / "CMakeLists.txt").write_text(APP_CMAKE.format(folder=folder, io_main=extra))
    return src


def tflm_output(sample: np.ndarray) -> bytes:
    return np.asarray(run_tflm(EXAMPLE.read_bytes(), [sample])[0]).astype(np.int8).tobytes()


def assert_runs_like_tflm(exe: Path, tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    for k in range(3):
        sample = rng.integers(-128, 128, size=(1, 49, 10, 1), dtype=np.int8)
        (tmp_path / "in.bin").write_bytes(sample.tobytes())
        proc = subprocess.run([str(exe), str(tmp_path / "in.bin")], capture_output=True)
        assert proc.returncode == 0 and proc.stdout == tflm_output(sample), (k, proc.returncode, proc.stdout)


def cmsis_nn_tree() -> Path:
    from tests.cmsis_nn_source import cmsis_nn_root
    root = cmsis_nn_root()
    if root is None:
        pytest.skip("CMSIS-NN sources unavailable ($CMSIS_NN_PATH unset and the aidge wheel could not be fetched)")
    return root


def backend_args(backend: str) -> list[str]:
    if backend == "microtvm":
        pytest.importorskip("tvm", reason="the microtvm backend needs Apache TVM (the tvm extra)")
    if backend == "cmsis-nn":
        return [f"-DCMSIS_NN_PATH={cmsis_nn_tree()}"]
    return []


PLAIN_C = ["c", "cmsis-nn", "microtvm"]


@NEEDS_CMAKE
@pytest.mark.parametrize("backend", PLAIN_C)
def test_cmake_library_builds_on_the_host_and_runs_like_tflm(backend, tmp_path):
    args = backend_args(backend)
    folder = compile_folder(tmp_path, backend)
    build = tmp_path / "build"
    cmake(app(tmp_path, folder), build, *args, f"-DCMAKE_C_FLAGS={WARNINGS}")
    assert subprocess.run([str(build / "readme_example")]).returncode == 0      # the README's example, as it is
    assert_runs_like_tflm(build / "io_main", tmp_path)


@NEEDS_ARM
@pytest.mark.parametrize("backend", PLAIN_C)
def test_shipped_toolchain_file_cross_builds_for_cortex_m4(backend, tmp_path):
    args = backend_args(backend)
    folder = compile_folder(tmp_path, backend, board="arduino-nano-33-ble")
    toolchain = folder / "cmake" / "arm-none-eabi.cmake"
    assert 'set(TINYCC_CPU "cortex-m4"' in toolchain.read_text()        # the board's core is the default
    build = tmp_path / "build-arm"
    cmake(app(tmp_path, folder, io_main=False), build, *args, f"-DCMAKE_TOOLCHAIN_FILE={toolchain}",
          "-DCMAKE_C_FLAGS=-Wall -Wextra -Werror")
    attrs = subprocess.run(["arm-none-eabi-readelf", "-A", "-h", str(build / "readme_example")],
                           capture_output=True, text=True, check=True).stdout
    assert "Machine:                           ARM" in attrs and "Tag_CPU_arch: v7E-M" in attrs
    assert "Tag_ABI_VFP_args: VFP registers" in attrs                   # -mfloat-abi=hard for the M4F
    assert (build / "kws" / "libkws.a").exists()


@NEEDS_CMAKE
@pytest.mark.parametrize("backend", PLAIN_C)
def test_zephyr_module_parses_and_builds_under_zephyr_cmake_functions(backend, tmp_path):
    args = backend_args(backend)
    folder = compile_folder(tmp_path, backend)
    module = yaml.safe_load((folder / "zephyr" / "module.yml").read_text())
    assert module["name"] == "tinycc-kws"
    cmake_dir = module["build"]["cmake"]
    assert (folder / cmake_dir / "CMakeLists.txt").is_file() and (folder / module["build"]["kconfig"]).is_file()
    kconfig = (folder / module["build"]["kconfig"]).read_text()
    assert re.search(r"^config TINYCC_KWS\n\tbool ", kconfig, re.M)
    if backend == "cmsis-nn":          # Zephyr's own CMSIS-NN module provides the library
        assert "\tselect CMSIS_NN\n" in kconfig and "\tselect CMSIS_NN_CONVOLUTION\n" in kconfig
        root = Path(args[0].split("=", 1)[1])
        extra = (f"file(GLOB cmsis_sources {root}/Source/*/*.c)\nadd_library(cmsis_nn STATIC ${{cmsis_sources}})\n"
                 f"zephyr_include_directories({root}/Include)\ntarget_link_libraries(io_main PRIVATE cmsis_nn)\n")
    else:
        extra = ""
    src = tmp_path / "zephyr_app"
    src.mkdir()
    (src / "io_main.c").write_text(IO_MAIN)
    (src / "CMakeLists.txt").write_text(FAKE_ZEPHYR.format(folder=folder, cmake_dir=cmake_dir) + extra)
    cmake(src, tmp_path / "zbuild", f"-DCMAKE_C_FLAGS={WARNINGS}")
    assert_runs_like_tflm(tmp_path / "zbuild" / "io_main", tmp_path)


# PlatformIO's documented library.json (docs.platformio.org, manifests/library-json): `name` and
# `version` are required; name without [:;/,@<>], version semantic (with a dot); keywords
# [a-z0-9+_-. ]; frameworks/platforms "*" or [a-z0-9-_]; build.srcDir/includeDir folders of the
# library; build.srcFilter +<path> patterns; -I paths in build.flags relative to the library root.
def check_library_json(folder: Path, manifest: dict) -> None:
    assert re.fullmatch(r"[^:;/,@<>]{1,100}", manifest["name"])
    assert re.fullmatch(r"\d+\.\d+\.\d+([-+.][0-9A-Za-z.-]+)?", manifest["version"])
    assert all(re.fullmatch(r"[a-z\d\-_+. ]{1,50}", k) for k in manifest["keywords"])
    for key in ("frameworks", "platforms"):
        values = manifest[key] if isinstance(manifest[key], list) else [manifest[key]]
        assert all(re.fullmatch(r"[a-z\d\-_]+|\*", v) for v in values)
    build = manifest["build"]
    assert (folder / build["srcDir"]).is_dir() and (folder / build["includeDir"]).is_dir()
    assert (folder / build["includeDir"] / "kws.h").is_file()
    for pattern in build["srcFilter"]:
        m = re.fullmatch(r"\+<(.+)>", pattern)
        assert m and (folder / build["srcDir"] / m.group(1)).is_file(), pattern
    for flag in build.get("flags", []):
        m = re.fullmatch(r"-I (.+)", flag)
        assert m and (folder / m.group(1)).is_dir(), flag
    assert set(manifest) <= {"name", "version", "description", "keywords", "frameworks", "platforms", "build"}


@pytest.mark.parametrize("backend", PLAIN_C)
def test_library_json_is_a_valid_platformio_manifest(backend, tmp_path):
    backend_args(backend)
    folder = compile_folder(tmp_path, backend)
    manifest = json.loads((folder / "library.json").read_text())
    check_library_json(folder, manifest)
    srcs = sorted(re.fullmatch(r"\+<(.+)>", p).group(1) for p in manifest["build"]["srcFilter"])
    expected = {"c": ["kws.c", "kws_weights.c"], "cmsis-nn": ["kws.c", "kws_weights.c"],
                "microtvm": ["codegen/host/src/kws_lib.c", "kws.c", "kws_weights.c"]}[backend]
    assert srcs == expected                                  # every C source of the folder, nothing else
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*.c")) == expected


def test_library_json_passes_platformios_own_schema(tmp_path):
    schema = pytest.importorskip("platformio.package.manifest.schema",
                                 reason="platformio is not installed (its documented fields are checked above)")
    from platformio.package.manifest.parser import ManifestParserFactory
    folder = compile_folder(tmp_path, "c")
    raw = json.loads((folder / "library.json").read_text())
    assert schema.ManifestSchema().load_manifest(raw)["name"] == "kws"          # as written
    parsed = ManifestParserFactory.new_from_file(str(folder / "library.json")).as_dict()
    assert schema.ManifestSchema().load_manifest(parsed)["version"] == raw["version"]   # as PlatformIO reads it


@NEEDS_CMAKE
def test_tflm_cmake_library_compiles_against_tflm_headers(tmp_path):
    """No TF Lite Micro tree here: its headers are stood in by tests/test_tflm_backend.py's declarations."""
    from tests.test_tflm_backend import STUB, STUB_HEADERS
    stub = tmp_path / "tflm_headers"
    for header in STUB_HEADERS:
        (stub / header).parent.mkdir(parents=True, exist_ok=True)
        (stub / header).write_text("#pragma once\n" + (STUB if header.endswith("micro_interpreter.h") else
                                                          '#include "tensorflow/lite/micro/micro_interpreter.h"\n'))
    folder = compile_folder(tmp_path, "tflm")
    proc = subprocess.run(["cmake", "-S", str(folder), "-B", str(tmp_path / "nodir")], capture_output=True, text=True)
    assert proc.returncode != 0 and "pass -DTFLM_DIR=PATH" in proc.stderr          # a clear error without TFLM
    cmake(folder, tmp_path / "build", f"-DTFLM_DIR={stub}", "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Werror")
    assert (tmp_path / "build" / "libkws.a").exists()
    example = readme_example(folder)
    assert "kws_setup() != 0" in example and "KWS_INPUT0_BYTES" in example
    proc = subprocess.run(["cc", "-std=c99", *WARNINGS.split(), "-fsyntax-only", "-I", str(folder), "-x", "c", "-"],
                          input=example, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr                     # kws.h is plain C for a C caller


def test_board_is_used_by_the_c_backend_with_reports_totals(tmp_path):
    from tinycc.report import make_report
    folder = compile_folder(tmp_path, "c", board="cortex-m0plus-16k")
    readme = (folder / "README.md").read_text()
    rep = make_report(str(EXAMPLE), "cortex-m0plus-16k", "c", latency_mode="macs")
    b = board("cortex-m0plus-16k")
    sram = rep["sram"]
    assert sram["stack_bytes"] == STACK_RESERVE_BYTES
    assert f"## Memory budget on the {b['title']}" in readme
    assert (f"| **SRAM total** | **{sram['total_bytes']:,}** | "
            f"{sram['total_bytes'] / (16 * 1024):.1%} of its 16,384 B SRAM") in readme
    assert f"| model in flash | {rep['flash']['model_bytes']:,} |" in readme
    assert 'set(TINYCC_CPU "cortex-m0plus"' in (folder / "cmake" / "arm-none-eabi.cmake").read_text()
    # without a board: the same total, and how to get the check
    plain = (compile_folder(tmp_path / "plain", "c") / "README.md").read_text()
    assert f"| **SRAM total** | **{sram['total_bytes']:,}** | compile with `--board BOARD`" in plain


def test_unknown_board_with_the_c_backend_is_a_clear_error(tmp_path):
    from tinycc.core.errors import TinyccError
    with pytest.raises(TinyccError, match="unknown board 'z80'"):
        compile_folder(tmp_path, "c", board="z80")
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("backend", ["c", "cmsis-nn", "tflm", "stm32cubeai"])
def test_output_folders_are_deterministic_and_the_model_code_is_unchanged(backend, tmp_path):
    a = compile_folder(tmp_path / "a", backend)
    b = compile_folder(tmp_path / "b", backend)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    names = {str(f) for f in files}
    assert {"README.md", "CMakeLists.txt", "cmake/arm-none-eabi.cmake"} <= names
    if backend in ("c", "cmsis-nn"):
        assert {"library.json", "zephyr/module.yml", "zephyr/CMakeLists.txt", "zephyr/Kconfig"} <= names
    if backend == "c":                 # the model's C is the generator's, byte for byte: the folder only gains files
        from tinycc.backends.c.plugin import CBackend, generate
        from tinycc.core.passes import memory
        from tinycc.driver import load_model, optimize_model
        g = optimize_model(load_model(str(EXAMPLE)))
        generated, _ = generate(g, memory.plan(g, **CBackend.plan_options), "kws")
        assert sorted(generated) == ["kws.c", "kws.h", "kws_weights.c", "kws_weights.h"]
        assert all((a / f).read_text() == text for f, text in generated.items())
    readme = (a / "README.md").read_text()
    assert "$CMSIS_CORE" not in readme and "..." not in readme.split("## Build")[1]


def test_cmsis_nn_readme_build_line_is_complete(tmp_path):
    folder = compile_folder(tmp_path, "cmsis-nn")
    readme = (folder / "README.md").read_text()
    assert ("cc -std=c99 -O2 -I. -I$CMSIS_NN_PATH/Include main.c kws.c kws_weights.c "
            "$CMSIS_NN_PATH/Source/*/*.c -o app -lm") in readme


@pytest.mark.skipif(shutil.which("cc") is None, reason="a host C compiler is needed")
def test_cmsis_nn_readme_build_line_works(tmp_path):
    """The README's cc line, as written, with $CMSIS_NN_PATH set: builds, and the program runs like TFLM."""
    root = cmsis_nn_tree()
    folder = compile_folder(tmp_path, "cmsis-nn")
    line = re.search(r"^cc -std=c99 .*$", (folder / "README.md").read_text(), re.M).group(0)
    (folder / "main.c").write_text(IO_MAIN)
    proc = subprocess.run(["sh", "-c", line], cwd=folder, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "CMSIS_NN_PATH": str(root)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert_runs_like_tflm(folder / "app", tmp_path)
