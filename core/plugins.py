"""Plugin manager: loads every plugin of the entry-point group ``tinycc`` and looks them up by name.

Built-in and third-party plugins go through the same path (their package's entry points), so
``tinycc plugins`` can always say where each one came from.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pluggy

from tinycc.core import hookspec
from tinycc.core.errors import TinyccError

if TYPE_CHECKING:
    from tinycc.core.backend import Option


@dataclass(frozen=True)
class PluginInfo:
    kind: str          # "importer" | "backend" | "runtime"
    name: str
    description: str
    origin: str        # "distribution version (entry point)"
    obj: Any           # duck-typed (core/hookspec.py, core/backend.py's Protocols)


class PluginRegistry:
    """The loaded plugins, indexed by kind and name."""

    def __init__(self, pm: pluggy.PluginManager, origins: dict[int, str], load_errors: list[str]):
        self.pm = pm
        self.load_errors = load_errors
        self._by_kind: dict[str, dict[str, PluginInfo]] = {"importer": {}, "backend": {}, "runtime": {}}
        hooks = {"importer": pm.hook.tinycc_importers, "backend": pm.hook.tinycc_backends,
                 "runtime": pm.hook.tinycc_runtimes}
        for kind, hook in hooks.items():
            for impl in hook.get_hookimpls():
                origin = origins.get(id(impl.plugin), "registered in process")
                for obj in cast("list[Any]", impl.function() or []):   # a hook returns a list of plugins
                    info = PluginInfo(kind, obj.name, getattr(obj, "description", ""), origin, obj)
                    self._by_kind[kind].setdefault(obj.name, info)

    def all(self) -> list[PluginInfo]:
        return [info for kind in ("importer", "backend", "runtime")
                for _, info in sorted(self._by_kind[kind].items())]

    def names(self, kind: str) -> list[str]:
        return sorted(self._by_kind[kind])

    def get(self, kind: str, name: str) -> Any:
        try:
            return self._by_kind[kind][name].obj
        except KeyError:
            raise TinyccError(f"no {kind} named {name!r}",
                              hint=f"available {kind}s: {', '.join(self.names(kind)) or 'none'}"
                                   f" (see `tinycc plugins`)") from None

    def options(self, command: str) -> list[tuple[Option, list[str]]]:
        """(option, names of the backends or runtimes declaring it) for `command`, in the order of
        first declaration (core/backend.py's `Option`)."""
        from tinycc.core.backend import options
        found: dict[str, tuple[Option, list[str]]] = {}
        for info in self.all():
            if info.kind == "importer":
                continue
            for opt in options(info.obj):
                if command in opt.commands:
                    found.setdefault(opt.flag, (opt, []))[1].append(info.name)
        return list(found.values())

    def add_options(self, command: str, parser: Any) -> None:
        """The declared options of `command`, then those plugins add through tinycc_addoption."""
        for opt, _ in self.options(command):
            opt.add_to(parser)
        self.pm.hook.tinycc_addoption(command=command, parser=parser)

    def importer_for(self, path: str | Path) -> Any:
        for info in self._by_kind["importer"].values():
            if info.obj.can_import(path):
                return info.obj
        kinds = "; ".join(f"{info.name}: {info.description}" for _, info in sorted(self._by_kind["importer"].items()))
        raise TinyccError(f"no importer recognises this {'folder' if Path(path).is_dir() else 'file'} "
                          f"(by its extension, {Path(path).suffix or 'none'!r})", file=str(path),
                          hint=f"supported: {kinds} (`tinycc plugins` lists importers)")


def _entry_points() -> list[EntryPoint]:
    return sorted(entry_points(group=hookspec.PROJECT), key=lambda ep: ep.name)


def build_registry(extra_plugins: tuple[object, ...] = ()) -> PluginRegistry:
    """Load all entry-point plugins (plus ``extra_plugins``, for tests) into a fresh registry."""
    pm = pluggy.PluginManager(hookspec.PROJECT)
    pm.add_hookspecs(hookspec)
    origins: dict[int, str] = {}
    errors: list[str] = []
    for ep in _entry_points():
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken third-party plugin must not take tinycc down
            errors.append(f"{ep.name} ({ep.value}): {type(exc).__name__}: {exc}")
            continue
        if pm.is_registered(plugin):
            continue
        pm.register(plugin, name=ep.name)
        dist = ep.dist
        origins[id(plugin)] = f"{dist.name} {dist.version}" if dist else "unknown distribution"
    for plugin in extra_plugins:
        pm.register(plugin)
    return PluginRegistry(pm, origins, errors)


@lru_cache(maxsize=1)
def registry() -> PluginRegistry:
    """The process-wide registry of installed plugins."""
    return build_registry()
