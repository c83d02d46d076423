"""PyTorch importer: an nn.Module (Python API) or a `.pt2` ExportedProgram file (CLI), through ONNX.

The model is exported with `torch.onnx.export(..., dynamo=True)` (torch.export based, the
default exporter since PyTorch 2.9) into a temporary .onnx file, which the ONNX importer
reads. Inputs and outputs keep PyTorch's NCHW layout.

`.pt2` files are loaded with `torch.export.load`, PyTorch's archive format for exported
programs, but only after `pt2_archive.checked_archive` has read the zip itself: torch.export.load
trusts the archive (its configs decide what is unpickled, its program JSON names callables and
sympy expressions it evaluates), so tinycc checks every member, config entry, node target and
expression, and PyTorch loads a new in-memory archive of the checked members only, in which no
pickle remains. Every `torch.load` inside still runs with `TORCH_FORCE_WEIGHTS_ONLY_LOAD=1`.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph
from tinycc.core.hookspec import hookimpl

OPSET = 18


def _torch():
    try:
        import torch
    except ImportError:
        raise TinyccError("PyTorch is not installed", hint="pip install 'tinycc-ml[torch]'") from None
    return torch


def _export(program_or_module, args, name: str, source: str, io_layout: str = "source") -> Graph:
    torch = _torch()
    from tinycc.plugins.importers.onnx import load_onnx
    with tempfile.TemporaryDirectory(prefix="tinycc-torch-") as tmp:
        path = Path(tmp) / f"{name}.onnx"
        try:
            torch.onnx.export(program_or_module, args, str(path), opset_version=OPSET, dynamo=True,
                              external_data=False, verbose=False)
        except Exception as exc:
            raise TinyccError(f"torch.onnx.export failed: {type(exc).__name__}: {str(exc)[:300]}", file=source,
                              hint="check that the model runs on the example inputs and uses exportable ops") from None
        try:
            g = load_onnx(path, io_layout)
        except TinyccError as err:
            err.file = source
            raise
    g.name = name
    g.source = source
    g.metadata.format = "pytorch"
    return g


def from_module(module, example_inputs: tuple, name: str = "model", io_layout: str = "source") -> Graph:
    """Import an nn.Module, traced on `example_inputs` (a tuple of tensors), in eval mode."""
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise TinyccError(f"expected a torch.nn.Module, got {type(module).__name__}")
    module = module.eval()
    with torch.no_grad():
        return _export(module, tuple(example_inputs), name, f"<torch module {type(module).__name__}>", io_layout)


def load_pt2(path: Path, io_layout: str = "source") -> Graph:
    import logging
    import zipfile

    from tinycc.plugins.importers.pt2_archive import checked_archive
    torch = _torch()
    hint = "save it with torch.export.save(torch.export.export(model, args), 'model.pt2')"
    if not zipfile.is_zipfile(path):
        raise TinyccError("not an ExportedProgram archive (.pt2 files are zip archives)", file=str(path), hint=hint)
    archive = checked_archive(Path(path))
    try:        # registers quantized_decomposed.{quantize,dequantize}_per_{tensor,channel} (PT2E programs)
        import torch.ao.quantization.fx._decomposed  # noqa: F401
    except ImportError:
        pass
    logger = logging.getLogger("torch.export")
    level = logger.level
    logger.setLevel(logging.CRITICAL)          # torch logs its own traceback before raising
    try:
        with _weights_only_loads():
            program = torch.export.load(archive)
    except Exception as exc:
        raise TinyccError(f"not a loadable ExportedProgram ({type(exc).__name__})", file=str(path), hint=hint) from None
    finally:
        logger.setLevel(level)
    return _export(program, (), Path(path).stem, str(path), io_layout)


class _weights_only_loads:
    """Every torch.load inside the block restricted to tensors (PyTorch's weights_only unpickler)."""
    KEYS = ("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD")

    def __enter__(self):
        import os
        self.saved = {k: os.environ.get(k) for k in self.KEYS}
        os.environ.pop("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", None)
        os.environ["TORCH_FORCE_WEIGHTS_ONLY_LOAD"] = "1"

    def __exit__(self, *exc):
        import os
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


PICKLE_SUFFIXES = (".pt", ".pth")


def _is_pt2_archive(path: Path) -> bool:
    """An ExportedProgram saved under a .pt name (torch.export.save takes any name)."""
    import zipfile
    try:
        with zipfile.ZipFile(path) as z:
            return any(n.count("/") == 1 and n.endswith("/archive_format") and z.read(n) == b"pt2"
                       for n in z.namelist())
    except (OSError, zipfile.BadZipFile, ValueError, KeyError):
        return False


def refuse_pickle(path: Path) -> TinyccError:
    """Why a .pt/.pth file is not loaded, and how to export the model instead."""
    return TinyccError(
        f"tinycc does not load {Path(path).suffix} files: they are pickled PyTorch objects (a state_dict, a whole "
        "module or TorchScript), and unpickling runs code from the file; a state_dict also holds only weights, not "
        "the network", file=str(path),
        hint="export the model where its Python class is defined, then compile that file: "
             "torch.export.save(torch.export.export(model.eval(), (example_input,)), 'model.pt2') or "
             "torch.onnx.export(model.eval(), (example_input,), 'model.onnx', dynamo=True); from Python, "
             "tinycc.plugins.importers.torch.from_module(model, (example_input,))")


class TorchImporter:
    name = "torch"
    description = ("PyTorch ExportedProgram files (.pt2) via ONNX; nn.Module through the Python API "
                   "(.pt/.pth pickles are refused, with how to export them)")

    def can_import(self, path: Path) -> bool:
        return Path(path).suffix.lower() in (".pt2", *PICKLE_SUFFIXES)

    def load(self, path: Path, options: dict) -> Graph:
        if Path(path).suffix.lower() in PICKLE_SUFFIXES and not _is_pt2_archive(Path(path)):
            raise refuse_pickle(path)
        return load_pt2(Path(path), options.get("io_layout") or "source")


@hookimpl
def tinycc_importers():
    return [TorchImporter()]
