"""What a backend and a runtime are (typing.Protocol), and what a backend may declare besides.

A backend object needs only `name`, `description` and `compile` (see core/hookspec.py); every
other attribute below is optional and has a default here, so a third party's backend written
against the three required members keeps working. The compile pipeline, `tinycc report` and the
CLI read a backend's declarations only through the functions of this module: nothing outside a
backend's own folder says `if backend == "..."`.

Declarations (all optional):

- `options`: CLI options the backend reads (`Option`), added to the commands they name; giving
  one to another backend is refused ("--verify applies to the tflm backend, not c").
- `cli_options`: names (`dest`) of other backends' options this backend reads too.
- `plan_options`: the memory passes the backend's kernels honour (`inplace`, `schedule`,
  `concat_alias`; core/passes/memory.py), run before the compile's one plan.
- `io_in_arena`: inputs and outputs live in the arena (TF Lite Micro); `scratch_bytes(node, g)`:
  scratch bytes a kernel needs in the arena; `plan_what`: how the backend's arena comes about, in
  words. These make the plan `tinycc report` and `compile --target` budget with.
  `scratch_bytes_for(options)`: the compile options' own `scratch_bytes` (cmsis-nn: sized for the
  CMSIS-NN build the options or the target board's core pick), used instead when declared.
- `input_limits`: operator -> the most inputs the backend's kernel for it takes (tflm: TF Lite
  Micro's CONCATENATION takes 10); wider nodes are split into trees before the plan
  (core/passes/legalise.py; operators with the trait splits_inputs) or refused.
- `in_place(node, g)`: the aliasing its own kernel for `node` allows (core/inplace.Overlap), or
  None for the operator's own rule (the c kernels'); read by the in-place pass when
  plan_options has `inplace`.
- `patch_bands`: False when patch-based execution makes the backend's arena larger (a runtime
  that plans its own arena); `runtime_plans_arena`: the backend's arena is measured by its
  runtime, not tinycc's plan (the report then does not compare the two).
- `cycles_per_mac`, `cycles_per_mac_basis`: the cost model of the MAC-based latency estimate.
- `report_extras(options) -> dict`: entries the backend adds to the compile report (shown by
  the CLI, e.g. tflm's `verify`).
- `untouched_suffixes` and `compile_untouched(path, outdir, options, reason) -> dict`: model
  files the backend's runtime executes itself (tflm: `.tflite`), compiled untouched when tinycc's
  importer refuses them as unsupported (core/errors.Unsupported, `reason`): operators or element
  types tinycc cannot compile, in a well-formed file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from tinycc.core.graph import Graph
    from tinycc.core.passes import PassContext
    from tinycc.core.planner import MemoryPlan

DEFAULT_CYCLES_PER_MAC = 12.0
DEFAULT_CYCLES_PER_MAC_BASIS = "tinycc's c kernels' figure, for a backend tinycc has not measured"


@dataclass(frozen=True)
class Option:
    """A command-line option a plugin reads: `flag` ("--tvm-opt"), its `help`, the `commands`
    that take it and the rest of argparse's `add_argument` keywords (`argparse`)."""
    flag: str
    help: str
    commands: tuple[str, ...] = ("compile",)
    argparse: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    def add_to(self, parser: Any) -> None:          # an argparse parser (or argument group)
        parser.add_argument(self.flag, help=self.help, **self.argparse)


@runtime_checkable
class Backend(Protocol):
    """The required members of a backend (the optional declarations are in the module docstring)."""
    name: str
    description: str

    def compile(self, graph: Graph, plan: MemoryPlan, outdir: Path, options: dict[str, Any]) -> dict[str, Any]: ...


@runtime_checkable
class Runtime(Protocol):
    """A runtime executes a model (verification, `tinycc compare`)."""
    name: str

    def available(self) -> str | None: ...

    def run(self, graph: Graph, inputs: list[Any]) -> list[Any]: ...


def options(plugin: object) -> tuple[Option, ...]:
    return tuple(getattr(plugin, "options", ()) or ())


def accepted_options(backend: object) -> set[str]:
    """The option names (dests) `backend` reads: its own and those it declares in cli_options."""
    return {o.dest for o in options(backend)} | set(getattr(backend, "cli_options", ()) or ())


def plan_options(backend: object) -> dict[str, Any]:
    return dict(getattr(backend, "plan_options", None) or {})


def input_limits(backend: object) -> dict[str, int]:
    return {str(k): int(v) for k, v in (getattr(backend, "input_limits", None) or {}).items()}


def patch_bands(backend: object) -> bool:
    return bool(getattr(backend, "patch_bands", True))


def runtime_plans_arena(backend: object) -> bool:
    return bool(getattr(backend, "runtime_plans_arena", False))


def cycles_per_mac(backend: object) -> tuple[float, str]:
    """(cycles per MAC, where the figure comes from) for the MAC-based latency estimate."""
    cpm = getattr(backend, "cycles_per_mac", None)
    if cpm is None:
        return DEFAULT_CYCLES_PER_MAC, DEFAULT_CYCLES_PER_MAC_BASIS
    return float(cpm), str(getattr(backend, "cycles_per_mac_basis", DEFAULT_CYCLES_PER_MAC_BASIS))


def report_extras(backend: object, opts: dict[str, Any]) -> dict[str, Any]:
    extras = getattr(backend, "report_extras", None)
    return dict(extras(opts)) if extras is not None else {}


def pass_context(backend: object, opts: dict[str, Any] | None = None) -> PassContext:
    """The PassContext (core/passes) of a compile with `backend`: its plan constraints
    (plan_options, io_in_arena, scratch_bytes), its input limits, the options and the target."""
    from tinycc.core.passes import PassContext
    opts = dict(opts or {})
    return PassContext(options=opts, target=opts.get("target"), plan_options=plan_options(backend),
                       io_in_arena=bool(getattr(backend, "io_in_arena", False)), input_limits=input_limits(backend),
                       scratch_bytes=(backend.scratch_bytes_for(opts) if hasattr(backend, "scratch_bytes_for")
                                      else getattr(backend, "scratch_bytes", None)),
                       in_place=getattr(backend, "in_place", None))


def arena_plan(backend: object, g: Graph) -> tuple[MemoryPlan, str]:
    """(the arena plan behind the backend's output, how it comes about in words): the plan the
    report's per-layer rows and the budget use, with the backend's scratch buffers and I/O: the
    memory passes run on g with the backend's constraints (g split for its input limits first), then the
    plan (as the compile does)."""
    from tinycc.core.passes import memory
    from tinycc.core.passes.legalise import legalise
    plan = memory.plan_in(legalise(g, input_limits(backend)), pass_context(backend))
    what = getattr(backend, "plan_what", None)
    if what is None:
        inplace, slices = plan.inplace, plan.slices
        what = ("tinycc's arena plan, inputs and outputs in the caller's buffers"
                + (f"; {len(inplace)} layer(s) write their output over a dying input" if inplace else "")
                + (f"; {len(slices)} concatenation input(s) written straight into their slot" if slices else ""))
    return plan, what


def takes_untouched(backend: object, path: str | Path) -> bool:
    """Whether `backend` compiles the model file `path` untouched when tinycc cannot import it."""
    suffixes = tuple(getattr(backend, "untouched_suffixes", ()) or ())
    return bool(suffixes) and hasattr(backend, "compile_untouched") and Path(str(path)).suffix.lower() in suffixes
