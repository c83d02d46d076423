"""core/backend.py: backends satisfy the protocol, declare their options, plan and cost model, and a
third party's backend with none of the optional declarations gets the defaults; a plugin's declared
option reaches the CLI's parser and is refused with another backend."""
from __future__ import annotations

import argparse

import pytest

from tinycc.core import backend as declared
from tinycc.core.errors import TinyccError
from tinycc.core.hookspec import hookimpl
from tinycc.core.plugins import build_registry


class Bare:
    name = "bare"
    description = "only the three required members"

    def compile(self, graph, plan, outdir, options):
        return {"files": []}


class WithOption(Bare):
    name = "withopt"
    options = (declared.Option("--shout", "withopt backend: louder", argparse={"action": "store_true"}),)
    cycles_per_mac = 7.5
    cycles_per_mac_basis = "measured by its author"


class Plugin:
    @hookimpl
    def tinycc_backends(self):
        return [Bare(), WithOption()]


def test_builtin_backends_satisfy_the_protocol_and_declare_their_cost():
    reg = build_registry()
    for name in ("c", "cmsis-nn", "tflm", "microtvm", "stm32cubeai"):
        be = reg.get("backend", name)
        assert isinstance(be, declared.Backend), name
    assert declared.cycles_per_mac(reg.get("backend", "cmsis-nn"))[0] == 3.0
    assert declared.cycles_per_mac(reg.get("backend", "microtvm"))[0] == 1.75
    assert not declared.patch_bands(reg.get("backend", "tflm"))
    assert declared.runtime_plans_arena(reg.get("backend", "tflm"))
    flags = {o.flag: owners for o, owners in reg.options("compile")}
    assert flags["--verify"] == ["tflm"] and flags["--part"] == ["stm32cubeai"] and flags["--tvm-opt"] == ["microtvm"]
    assert reg.options("inspect") == []


def test_a_bare_third_party_backend_gets_every_default():
    be = Bare()
    assert declared.options(be) == () and declared.accepted_options(be) == set()
    assert declared.plan_options(be) == {} and declared.patch_bands(be) and not declared.runtime_plans_arena(be)
    assert declared.cycles_per_mac(be) == (12.0, declared.DEFAULT_CYCLES_PER_MAC_BASIS)
    assert declared.report_extras(be, {"verify": True}) == {}


def test_declared_option_reaches_the_parser_and_is_refused_elsewhere(monkeypatch):
    from tinycc import cli
    from tinycc.core import plugins
    reg = build_registry(extra_plugins=(Plugin(),))
    monkeypatch.setattr(plugins, "registry", lambda: reg)
    args = cli.build_parser().parse_args(["compile", "m.tflite", "-o", "out", "-b", "bare", "--shout"])
    assert args.shout is True
    with pytest.raises(TinyccError, match="--shout applies to the withopt backend, not bare"):
        cli.check_options(args, "bare")
    ok = cli.build_parser().parse_args(["compile", "m.tflite", "-o", "out", "-b", "withopt", "--shout"])
    cli.check_options(ok, "withopt")                # its own option: accepted
    assert declared.cycles_per_mac(reg.get("backend", "withopt")) == (7.5, "measured by its author")


def test_addoption_hook_adds_to_the_named_command(monkeypatch):
    from tinycc import cli
    from tinycc.core import plugins

    class Hook:
        @hookimpl
        def tinycc_addoption(self, command, parser: argparse.ArgumentParser):
            if command == "inspect":
                parser.add_argument("--colour")

    reg = build_registry(extra_plugins=(Hook(),))
    monkeypatch.setattr(plugins, "registry", lambda: reg)
    assert cli.build_parser().parse_args(["inspect", "m.tflite", "--colour", "red"]).colour == "red"
