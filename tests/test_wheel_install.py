"""tinycc installed as users install it: from a wheel, in a fresh venv outside the repository.

The wheel is built with `pip wheel --no-deps --no-build-isolation` (this venv's setuptools: no
network), installed with `--no-deps` into a new venv that reuses this venv's dependencies
through a .pth line (never the editable tinycc: the wheel's own files come first on the path and
its distribution is the one importlib.metadata sees). Then, from a folder outside the
repository: every package-data file of the source tree is in the wheel, `tinycc plugins` lists
the built-ins from the installed distribution, `tinycc compile` writes the bundled example's C
(kernels and templates from the wheel), and the host build of that C runs.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "tiny_kws_int8.tflite"
PACKAGES = {"tinycc": "tinycc", "core": "tinycc/core", "plugins": "tinycc/plugins", "backends": "tinycc/backends"}


def source_data_files() -> list[str]:
    """Wheel paths every non-Python file of the package folders should have."""
    found = []
    for folder, prefix in PACKAGES.items():
        for p in (ROOT / folder).rglob("*"):
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts:
                found.append(f"{prefix}/{p.relative_to(ROOT / folder).as_posix()}")
    return sorted(found)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    pytest.importorskip("setuptools", reason="building the wheel needs setuptools (the test extra)")
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"             # a copy: setuptools writes build/ and egg-info beside the sources
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info")
    for folder in (*PACKAGES, "examples"):
        shutil.copytree(ROOT / folder, src / folder, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp / "dist"), str(src)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel = next((tmp / "dist").glob("tinycc_ml-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "reuse_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
                           str(wheel)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    work = tmp / "elsewhere"
    work.mkdir()
    return {"wheel": wheel, "venv": venv, "python": python, "site": site, "work": work}


def run(inst, *args):
    env = {"PATH": f"{inst['venv'] / 'bin'}:/usr/bin:/bin", "COLUMNS": "200", "HOME": str(inst["work"])}
    return subprocess.run([str(inst["venv"] / "bin" / "tinycc"), *map(str, args)], capture_output=True, text=True,
                          cwd=inst["work"], env=env)


def test_wheel_holds_every_package_data_file(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    missing = [f for f in source_data_files() if f not in names]
    assert not missing, f"pyproject.toml's package-data misses {missing}"
    for needed in ("tinycc/qemu_plugin/insn_count.c", "tinycc/boards.json",
                   "tinycc/backends/c/kernels/reference/conv_2d.h", "tinycc/backends/c/kernels/common/copy.h",
                   "tinycc/backends/c/kernels/optimised/conv_2d_cols_thumb2.h",
                   "tinycc/backends/c/templates/model.c.j2", "tinycc/backends/tflm/templates/main.cc.j2",
                   "tinycc/backends/project_files/templates/README.md.j2", "tinycc/plugins/runtimes/c_harness.c"):
        assert needed in names


def test_wheel_holds_every_module(installed):
    """pyproject.toml lists packages by hand (the folders map onto tinycc.*): a new package folder
    left off the list would import in the editable install and be missing from the wheel."""
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    modules = sorted(f"{prefix}/{p.relative_to(ROOT / folder).as_posix()}" for folder, prefix in PACKAGES.items()
                     for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)
    missing = [m for m in modules if m not in names]
    assert not missing, f"pyproject.toml's packages miss {sorted({m.rsplit('/', 1)[0] for m in missing})}"


def test_installed_command_lists_plugins_and_compiles_the_example(installed):
    where = subprocess.run([str(installed["python"]), "-c", "import tinycc; print(tinycc.__file__)"],
                           capture_output=True, text=True, cwd=installed["work"])
    assert Path(where.stdout.strip()).is_relative_to(installed["site"]), where   # the wheel, not the repository
    proc = run(installed, "plugins", "--json")
    assert proc.returncode == 0, proc.stderr
    plugins = json.loads(proc.stdout)
    assert plugins["load_errors"] == []
    builtins = {(p["kind"], p["name"]): p["origin"] for p in plugins["plugins"]}
    for key in (("importer", "tflite"), ("importer", "onnx"), ("backend", "c"), ("backend", "tflm"),
                ("backend", "cmsis-nn"), ("runtime", "reference")):
        assert builtins[key].startswith("tinycc-ml "), (key, builtins)
    out = installed["work"] / "kws"
    proc = run(installed, "compile", EXAMPLE, "--name", "kws", "-o", out)
    assert proc.returncode == 0, proc.stderr
    for name in ("kws.c", "kws.h", "kws_weights.c", "README.md", "CMakeLists.txt"):
        assert (out / name).exists(), name
    proc = run(installed, "compile", EXAMPLE, "-b", "tflm", "-o", installed["work"] / "tflm")
    assert proc.returncode == 0, proc.stderr
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc:      # the C the installed package wrote (its kernels) compiles as its README says
        main = out / "main.c"
        main.write_text('#include "kws.h"\nint main(void) { return KWS_NUM_INPUTS == 1 ? 0 : 1; }\n')
        exe = installed["work"] / "app"
        build = subprocess.run([cc, "-std=c99", "-Wall", "-Wextra", "-Werror", "-O1", f"-I{out}", str(main),
                                str(out / "kws.c"), str(out / "kws_weights.c"), "-o", str(exe), "-lm"],
                               capture_output=True, text=True)
        assert build.returncode == 0, build.stderr
        assert subprocess.run([str(exe)]).returncode == 0
