"""Project files for every backend's output folder, from the templates beside this module.

A backend describes its folder once (`Project`: its files, sources, include folders, external
source trees, I/O buffers) and `render` gives the files that make the folder a drop-in:
`README.md` (what each file is, a C example calling the model with the real size macros, the
memory budget against `--board`, build lines that work), `CMakeLists.txt` (a static library
target; an ESP-IDF component too for plain C), `cmake/arm-none-eabi.cmake` (a toolchain file
for Cortex-M cross builds) and, for plain C, PlatformIO's `library.json` and a Zephyr module
(`zephyr/module.yml`, `zephyr/CMakeLists.txt`, `zephyr/Kconfig`). The same description always
gives the same bytes. The memory budget is `tinycc report`'s own arithmetic (flash_budget,
sram_budget) with the board database's one stack reserve, so README and report agree.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

import tinycc

CTYPES = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "int32": "int32_t", "int64": "int64_t",
          "float32": "float", "bool": "uint8_t"}
FPU = {"cortex-m0plus": "-mfloat-abi=soft", "cortex-m3": "-mfloat-abi=soft",
       "cortex-m4": "-mfloat-abi=hard -mfpu=fpv4-sp-d16", "cortex-m7": "-mfloat-abi=hard -mfpu=fpv5-d16",
       "cortex-m33": "-mfloat-abi=hard -mfpu=fpv5-sp-d16"}
DEFAULT_CPU = "cortex-m4"


@dataclass(frozen=True)
class Dep:
    """An external source tree the library compiles with (cmsis-nn: Arm's CMSIS-NN)."""
    var: str                  # CMake cache variable, also read from the environment: CMSIS_NN_PATH
    what: str                 # for people: "Arm CMSIS-NN source tree (Include/, Source/)"
    check: str                # a file under it that must exist: Include/arm_nnfunctions.h
    include: str = ""         # include folder under it (C/C++ sources)
    sources: str = ""         # glob of its sources under it, compiled into NAME_VAR (empty: headers only)
    target: str = ""          # an existing CMake target used instead when defined (CMSIS-NN's cmsis-nn)
    library: str = ""         # cache variable of a prebuilt library to link (tflm: TFLM_LIBRARY)
    extra_includes: tuple = ()  # more include folders under it
    placeholder: str = "/path/to/it"   # what the README's build lines show for it


@dataclass
class Io:
    kind: str                 # input / output
    index: int
    dtype: str
    shape: list
    nbytes: int
    bytes_macro: str
    scale_macro: str | None = None
    zero_point_macro: str | None = None

    @property
    def var(self) -> str:
        return f"{self.kind}{self.index}"

    @property
    def ctype(self) -> str:
        return CTYPES.get(self.dtype, "uint8_t")


@dataclass
class Project:
    name: str
    backend: str
    title: str                          # "plain C99 model library"
    model: str                          # the source model's file name (a safe comment)
    files: list[tuple[str, str]]        # (path, what it is): the backend's own files
    sources: list[str]                  # compiled sources, relative to the folder
    include_dirs: list[str] = field(default_factory=lambda: ["."])
    language: str = "C"                 # C or CXX
    deps: list[Dep] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)   # what the example includes
    io: list[Io] = field(default_factory=list)
    num_macros: tuple[str, str] | None = None           # (NAME_NUM_INPUTS, NAME_NUM_OUTPUTS)
    setup: str | None = None            # a call before the first invoke (tflm: NAME_setup())
    example: str | None = None          # a whole example main.c instead of the NAME_invoke one
    report: dict = field(default_factory=dict)          # the backend's compile report
    board: str | None = None            # --board slug: the budget against it
    cpu: str | None = None              # the toolchain file's default core (else the board's, else cortex-m4)
    build: list[tuple[str, str, str]] = field(default_factory=list)  # (text, language, code): README steps
    notes: list[str] = field(default_factory=list)      # README paragraphs after the budget
    cmake_extra: str = ""               # CMake lines after the library target
    plain_c: bool = True                # PlatformIO library.json, Zephyr module, ESP-IDF component
    esp_idf: bool = True
    zephyr_selects: tuple = ()          # Kconfig symbols the Zephyr option selects (cmsis-nn: CMSIS_NN...)
    zephyr_depends: str = ""            # Kconfig dependency (cmsis-nn: CPU_CORTEX_M)
    pio_notes: str = ""                 # README text after the PlatformIO line
    cmake_dir: str = "."                # where CMakeLists.txt goes


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("tinycc.backends.project_files", "templates"),
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False,
                              trim_blocks=True, lstrip_blocks=True)
    env.filters["var"] = lambda s: "${" + s + "}"           # a CMake variable reference
    env.filters["brace"] = lambda s: "{" + s + "}"
    return env


def c_io(g, name: str) -> list[Io]:
    """The I/O buffers as the c backend's NAME.h names them (NAME_INPUT0_BYTES, _SCALE, _ZERO_POINT)."""
    N = name.upper()
    out = []
    for kind, tensors in (("input", g.inputs), ("output", g.outputs)):
        for i, t in enumerate(tensors):
            tt = g.tensors[t]
            quant = tt.quant is not None and not tt.quant.per_channel
            out.append(Io(kind, i, tt.dtype, list(tt.shape), tt.nbytes, f"{N}_{kind.upper()}{i}_BYTES",
                          f"{N}_{kind.upper()}{i}_SCALE" if quant else None,
                          f"{N}_{kind.upper()}{i}_ZERO_POINT" if quant else None))
    return out


def board_info(slug: str | None) -> dict | None:
    if not slug:
        return None
    from tinycc.boards import board
    return {"slug": slug, **board(slug)}


def budget(report: dict, g, slug: str | None) -> dict:
    """The README's memory budget: `tinycc report`'s flash and SRAM arithmetic on this compile
    report, against the board when there is one."""
    from tinycc.boards import STACK_RESERVE_BYTES
    from tinycc.report import FLASH_SHARE, flash_budget, sram_budget
    b = board_info(slug)
    flash = flash_budget(report, g, int(b["flash_kb"] * 1024) if b else 0)
    sram = sram_budget(report, int(b["sram_kb"] * 1024) if b else 0, STACK_RESERVE_BYTES,
                       report.get("arena_bytes", 0))
    return {"board": b, "flash": flash, "sram": sram, "flash_share": FLASH_SHARE}


def toolchain_cpu(project: Project) -> str:
    b = board_info(project.board)
    for cpu in (project.cpu, b and b.get("core")):
        if cpu in FPU:
            return cpu
    return DEFAULT_CPU


def render(project: Project, g) -> dict[str, str]:
    """The project files (relative path -> text) for the folder `project` describes."""
    env = _env()
    p = project
    ctx = {"p": p, "version": tinycc.__version__, "NAME": p.name.upper(), "fpu": FPU,
           "cpu": toolchain_cpu(p), "budget": budget(p.report, g, p.board) if g is not None else None}
    files: dict[str, str] = {}
    prefix = "" if p.cmake_dir == "." else p.cmake_dir + "/"
    files[prefix + "CMakeLists.txt"] = env.get_template("CMakeLists.txt.j2").render(ctx)
    files["cmake/arm-none-eabi.cmake"] = env.get_template("arm-none-eabi.cmake.j2").render(ctx)
    if p.plain_c:
        files["library.json"] = library_json(p)
        files["zephyr/module.yml"] = env.get_template("zephyr_module.yml.j2").render(ctx)
        files["zephyr/CMakeLists.txt"] = env.get_template("zephyr_CMakeLists.txt.j2").render(ctx)
        files["zephyr/Kconfig"] = env.get_template("zephyr_Kconfig.j2").render(ctx)
    ctx["example"] = p.example if p.example is not None else env.get_template("example.c.j2").render(ctx)
    ctx["project_files"] = sorted(files)
    files["README.md"] = env.get_template("README.md.j2").render(ctx)
    return files


def library_json(p: Project) -> str:
    """PlatformIO's library manifest: the folder as a library, its sources named one by one."""
    build = {"srcDir": ".", "includeDir": ".", "srcFilter": [f"+<{s}>" for s in p.sources]}
    extra = [d for d in p.include_dirs if d != "."]
    if extra:
        build["flags"] = [f"-I {d}" for d in extra]
    manifest = {"name": p.name, "version": tinycc.__version__,
                "description": f"The model {p.model} as a {p.title}, generated by tinycc {tinycc.__version__}",
                "keywords": ["tinyml", "tinycc", "neural network", p.backend],
                "frameworks": ["*"], "platforms": ["*"], "build": build}
    return json.dumps(manifest, indent=2) + "\n"


def write(files: dict[str, str], outdir: Path) -> list[str]:
    for fname, text in sorted(files.items()):
        path = Path(outdir) / fname
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="ascii", newline="\n")
    return sorted(files)


def model_library(g, name: str, backend: str, title: str, report: dict, options: dict, *,
                  extra_files=(), sources=None, include_dirs=(".",), deps=(), build_pre=(), **kw) -> Project:
    """The Project of a folder holding the c backend's interface (NAME.h: NAME_invoke,
    NAME_INPUT0_BYTES, ...) over NAME.c and NAME_weights.c: the c, cmsis-nn and microtvm outputs."""
    from tinycc.backends.c import names
    N = name.upper()
    arena = report.get("arena_bytes", 0)
    flash = report.get("flash_weights_bytes")
    files = [(f"{name}.h", f"the interface: `{name}_invoke()`, buffer sizes, scale and zero point macros"),
             (f"{name}.c", f"`{name}_invoke()`, the kernels and the static arena ({arena:,} B)")]
    files += list(extra_files)
    if sources is None:
        sources = [f"{name}.c", f"{name}_weights.c"]
    if f"{name}_weights.c" in sources:
        files.append((f"{name}_weights.h/.c", "weights and constants as `const` arrays"
                      + (f" ({flash:,} B of flash)" if flash is not None else "")))
    srcs = " ".join([*sources, *(f"${d.var}/{d.sources}" for d in deps if d.sources)])
    incs = " ".join([*(f"-I{d}" for d in include_dirs), *(f"-I${d.var}/{d.include}" for d in deps if d.include)])
    defs = "".join(f" -D{d.var}={d.placeholder}" for d in deps)
    build = [*build_pre,
             ("Any C99 compiler, with the example above as `main.c`:", "sh",
              f"cc -std=c99 -O2 {incs} main.c {srcs} -o app -lm"),
             ("CMake, on the host or cross-compiled for a Cortex-M core (a build folder outside this one):", "sh",
              f"cmake -S . -B ../build-{name}{defs} && cmake --build ../build-{name}\n"
              f"cmake -S . -B ../build-{name}-arm{defs} -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake "
              f"-DTINYCC_CPU={toolchain_cpu(Project(name, backend, title, '', [], [], board=options_board(options)))}"
              f" && cmake --build ../build-{name}-arm"),
             ("tinycc cross-compiles the folder and runs it under QEMU (instructions, flash, RAM, stack):", "sh",
              "tinycc bench path/to/this/folder --target cortex-m4")]
    return Project(name=name, backend=backend, title=title, model=names.comment(Path(g.source).name or g.name, 80),
                   files=files, sources=list(sources), include_dirs=list(include_dirs), deps=list(deps),
                   headers=[f"{name}.h"], io=c_io(g, name), num_macros=(f"{N}_NUM_INPUTS", f"{N}_NUM_OUTPUTS"),
                   report=report, board=options_board(options), build=build, **kw)


def options_board(options: dict) -> str | None:
    """The board a folder's README budgets against: --board, else --target."""
    return options.get("board") or options.get("target") or None
