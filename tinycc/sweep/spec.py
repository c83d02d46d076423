"""The grid of a sweep: a small TOML file or the command's repeatable flags, checked before any work.

TOML (paths relative to the file):

    models = ["kws.tflite", "vww.tflite"]
    backends = ["c", "cmsis-nn"]
    targets = ["stm32f446", "pico2"]          # board slugs of `tinycc targets`
    data = "eval.npz"                          # optional: inputs (as --calibration) and an optional `labels`
    latency = "auto"                           # auto (QEMU when the core allows), qemu or macs
    [[quantize]]                               # optional; default one setting, "none" (the model as it is)
    name = "float"
    quantize = "none"
    [[quantize]]
    name = "int8-percentile"
    quantize = "int8"
    calibration_method = "percentile"          # minmax, percentile, mse, kl
    # also: io = "int8", bias_correction = true, int16_layers = ["conv1"], patch_tiles = 4, calibration = "cal.npz"
    [power]                                    # the seed's §10.1 model (boards with power figures)
    rate_hz = 1.0
    battery_mah = 1000
    battery_v = 3.0

Flags: --model, --backend, --target and --quantize (none, int8 or int8:METHOD) repeat; --data and
--calibration name files. Without calibration samples an int8 setting quantises with the data's inputs.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from tinycc.core.errors import TinyccError

METHODS = ("minmax", "percentile", "mse", "kl")
LATENCY = ("auto", "qemu", "macs")
QUANT_KEYS = {"name", "quantize", "calibration_method", "io", "bias_correction", "int16_layers", "patch_tiles",
              "calibration"}
TOP_KEYS = {"models", "backends", "targets", "data", "latency", "quantize", "power", "max_samples"}
POWER_KEYS = {"rate_hz", "battery_mah", "battery_v"}
DEFAULT_POWER = {"rate_hz": 1.0, "battery_mah": 1000.0, "battery_v": 3.0}


@dataclass
class Setting:
    """One quantisation setting: its name and compile's options (calibration a file path or None)."""
    name: str
    options: dict
    calibration: str | None = None


@dataclass
class Spec:
    models: list[str]
    backends: list[str]
    targets: list[str]
    settings: list[Setting]
    data: str | None = None
    latency: str = "auto"
    power: dict = field(default_factory=lambda: dict(DEFAULT_POWER))
    max_samples: int = 256
    source: str | None = None         # the TOML file, for messages

    def grid(self) -> list[dict]:
        """Every point, in a fixed order (model, setting, backend, target)."""
        return [{"model": m, "setting": s.name, "options": dict(s.options), "calibration": s.calibration,
                 "backend": b, "target": t}
                for m in self.models for s in self.settings for b in self.backends for t in self.targets]


def _list(raw, key: str, file: str | None) -> list[str]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) and x for x in raw):
        raise TinyccError(f"{key} must be a non-empty list of strings", file=file, hint=f'e.g. {key} = ["..."]')
    return list(dict.fromkeys(raw))          # order kept, repeats dropped


def setting(raw: dict, file: str | None = None, base: Path | None = None) -> Setting:
    """A [[quantize]] table (or a --quantize flag's) as a Setting, every value checked."""
    if not isinstance(raw, dict):
        raise TinyccError("each [[quantize]] entry must be a table", file=file)
    unknown = sorted(set(raw) - QUANT_KEYS)
    if unknown:
        raise TinyccError(f"unknown key {unknown[0]!r} in a [[quantize]] entry", file=file,
                          hint="keys: " + ", ".join(sorted(QUANT_KEYS)))
    mode = raw.get("quantize", "int8" if any(k in raw for k in ("calibration_method", "calibration")) else "none")
    if mode not in ("int8", "none"):
        raise TinyccError(f"quantize must be int8 or none, not {mode!r}", file=file)
    options: dict = {"quantize": mode}
    method = raw.get("calibration_method")
    if method is not None:
        if mode != "int8" or method not in METHODS:
            raise TinyccError(f"calibration_method {method!r} needs quantize = int8 and one of {', '.join(METHODS)}",
                              file=file)
        options["calibration_method"] = method
    if "io" in raw:
        if raw["io"] not in ("float", "int8") or mode != "int8":
            raise TinyccError(f"io {raw['io']!r}: float or int8, with quantize = int8", file=file)
        options["io"] = raw["io"]
    if raw.get("bias_correction"):
        options["bias_correction"] = True
    if raw.get("int16_layers"):
        options["int16_layers"] = _list(raw["int16_layers"], "int16_layers", file)
    if "patch_tiles" in raw:
        tiles = raw["patch_tiles"]
        if type(tiles) is not int or tiles < 2:
            raise TinyccError(f"patch_tiles must be an integer >= 2, not {tiles!r}", file=file)
        options["patch_tiles"] = tiles
    calibration = raw.get("calibration")
    if calibration is not None:
        calibration = str((base or Path()) / calibration)
    name = raw.get("name") or default_name(options)
    if not isinstance(name, str):
        raise TinyccError(f"a setting's name must be a string, not {name!r}", file=file)
    return Setting(name, options, calibration)


def default_name(options: dict) -> str:
    if options["quantize"] == "none":
        return "none"              # the model as it is: float, or quantised before
    return "int8" + (f"-{options['calibration_method']}" if "calibration_method" in options else "")


def flag_setting(text: str, calibration: str | None) -> Setting:
    """--quantize none | int8 | int8:METHOD."""
    mode, _, method = text.partition(":")
    raw: dict = {"quantize": mode}
    if method:
        raw["calibration_method"] = method
    if calibration and mode == "int8":
        raw["calibration"] = calibration
    return setting(raw, "--quantize " + text)


def load_toml(path) -> Spec:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text())
    except OSError as exc:
        raise TinyccError(f"cannot read the sweep file: {exc.strerror}", file=str(path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TinyccError(f"not a valid TOML file: {exc}", file=str(path)) from None
    file, base = str(path), path.parent
    unknown = sorted(set(raw) - TOP_KEYS)
    if unknown:
        raise TinyccError(f"unknown key {unknown[0]!r}", file=file, hint="keys: " + ", ".join(sorted(TOP_KEYS)))
    for key in ("models", "backends", "targets"):
        if key not in raw:
            raise TinyccError(f"the sweep file names no {key}", file=file, hint=f'add {key} = ["..."]')
    power = raw.get("power", {})
    if not isinstance(power, dict) or set(power) - POWER_KEYS:
        raise TinyccError("[power] takes " + ", ".join(sorted(POWER_KEYS)), file=file)
    quant = raw.get("quantize", [{"quantize": "none"}])
    if not isinstance(quant, list) or not quant:
        raise TinyccError("quantize must be an array of tables ([[quantize]])", file=file)
    spec = Spec(models=[str(base / m) for m in _list(raw["models"], "models", file)],
                backends=_list(raw["backends"], "backends", file), targets=_list(raw["targets"], "targets", file),
                settings=[setting(q, file, base) for q in quant],
                data=str(base / raw["data"]) if raw.get("data") else None, latency=raw.get("latency", "auto"),
                power={**DEFAULT_POWER, **power}, max_samples=raw.get("max_samples", 256), source=file)
    return check(spec)


def from_flags(models, backends, targets, quantize, calibration=None, data=None, latency="auto") -> Spec:
    settings = [flag_setting(q, calibration) for q in (quantize or ["none"])]
    if not models:
        raise TinyccError("nothing to sweep", hint="give --model FILE (repeatable)")
    if not targets:
        raise TinyccError("no boards to sweep", hint="give --target BOARD (repeatable; `tinycc targets` lists them)")
    spec = Spec(models=_list([str(m) for m in models], "--model", None),
                backends=_list(list(backends or ["c"]), "--backend", None),
                targets=_list(list(targets), "--target", None), settings=settings,
                data=str(data) if data else None, latency=latency)
    return check(spec)


def check(spec: Spec) -> Spec:
    """Names and files resolved before any point runs: a typo is one clear error, not N failed points."""
    from tinycc.boards import load_boards
    from tinycc.core.plugins import registry
    file = spec.source
    names = [s.name for s in spec.settings]
    if len(set(names)) != len(names):
        raise TinyccError("two quantisation settings share a name", file=file, hint="give each a distinct name")
    if spec.latency not in LATENCY:
        raise TinyccError(f"latency must be one of {', '.join(LATENCY)}, not {spec.latency!r}", file=file)
    if type(spec.max_samples) is not int or spec.max_samples < 1:
        raise TinyccError(f"max_samples must be a positive integer, not {spec.max_samples!r}", file=file)
    for key, value in spec.power.items():
        if type(value) not in (int, float) or not value > 0:
            raise TinyccError(f"power.{key} must be a number > 0, not {value!r}", file=file)
    known = set(registry().names("backend"))
    for b in spec.backends:
        if b not in known:
            raise TinyccError(f"unknown backend {b!r}", file=file, hint="backends: " + ", ".join(sorted(known)))
    boards = load_boards()
    for t in spec.targets:
        if t not in boards:
            raise TinyccError(f"unknown board {t!r}", file=file,
                              hint="a sweep budgets against boards: " + ", ".join(sorted(boards)))
    for path in [*spec.models, *([spec.data] if spec.data else []),
                 *(s.calibration for s in spec.settings if s.calibration)]:
        if not Path(path).is_file():
            raise TinyccError("no such file", file=path)
    for s in spec.settings:
        if s.options["quantize"] == "int8" and not (s.calibration or spec.data):
            raise TinyccError(f"setting {s.name!r} quantises to int8 but there are no samples to calibrate with",
                              file=file, hint="give data (inputs, optional labels) or a calibration file")
    return spec
