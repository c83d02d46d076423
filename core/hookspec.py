"""Every hook a tinycc plugin can implement, in one module (like pytest's hookspec.py).

A plugin is a plain module (or object) found through the entry-point group ``tinycc``; the
built-in importers, runtimes and backends are registered exactly the same way as a third
party's. Each hook returns a list of plugin objects; a plugin object is any object with the
attributes described below (duck-typed, no base class needed). ``core/backend.py`` states the
backend and runtime as ``typing.Protocol`` classes, with every optional declaration and its
default.
"""
from __future__ import annotations

from typing import Any

import pluggy

PROJECT = "tinycc"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def tinycc_importers() -> list[Any] | None:
    """Return a list of importers.

    An importer has ``name: str`` (e.g. "tflite"), ``description: str``,
    ``can_import(path: pathlib.Path) -> bool`` (cheap: extension or magic bytes) and
    ``load(path: pathlib.Path, options: dict) -> tinycc.core.graph.Graph`` which raises
    ``TinyccError`` for bad input. The returned graph must pass ``core.validate``.
    """


@hookspec
def tinycc_backends() -> list[Any] | None:
    """Return a list of backends.

    A backend has ``name: str`` (the ``--backend`` value), ``description: str`` and
    ``compile(graph, plan, outdir: pathlib.Path, options: dict) -> dict``. ``outdir`` is an
    empty, temporary folder (the CLI renames it into place only on success). The returned
    dict reports at least ``files`` (list of written names), ``arena_bytes`` and
    ``flash_bytes``. Backends read only the core graph and plan, never an importer.

    Optional declarations (``core/backend.py``, each with a default): ``options`` (the CLI
    options it reads, ``core.backend.Option``: flag, help, commands; given with another backend
    they are refused), ``cli_options`` (other backends' option names it reads too),
    ``plan_options`` (the memory passes its kernels honour: ``inplace``, ``schedule``, ``concat_alias``),
    ``io_in_arena``, ``scratch_bytes(node, graph)``, ``plan_what``, ``patch_bands``,
    ``runtime_plans_arena`` (planning constraints), ``cycles_per_mac`` and
    ``cycles_per_mac_basis`` (the cost model of the latency estimate) and
    ``report_extras(options) -> dict`` (entries added to the compile report).
    """


@hookspec
def tinycc_runtimes() -> list[Any] | None:
    """Return a list of runtimes that execute a model (for verification and ``compare``).

    A runtime has ``name: str``, ``available() -> str | None`` (None when usable, else a
    one-line reason it is not) and ``run(graph, inputs: list[numpy.ndarray]) -> list[numpy.ndarray]``.
    It may declare ``options`` as a backend does.
    """


@hookspec
def tinycc_addoption(command: str, parser: Any) -> None:
    """Add command-line options to ``command``'s ``argparse`` parser (like pytest_addoption).

    Called for every command when the CLI builds its parser, after the options plugins declare
    with ``options`` (``core.backend.Option``). Prefer ``options``: the CLI refuses a declared
    backend option given with another backend; an option added here is the plugin's to check.
    """
