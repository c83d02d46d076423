"""Machine-learning frameworks kept quiet: tinycc's output is tinycc's.

TensorFlow 2.21 writes absl and oneDNN lines straight to file descriptor 2 while it is imported
("All log messages before absl::InitializeLog() ...", "oneDNN custom operations are on ..."),
whatever TF_CPP_MIN_LOG_LEVEL says; PyTorch's ONNX exporter logs warnings about packages it does
not need (torchvision). `quiet_import` imports a module with descriptor 2 sent to a temporary
file (shown only when the import fails); `quiet_frameworks` sets the environment and the Python
loggers before any framework loads (an explicit setting in the environment wins).
"""
from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
import tempfile
import warnings


def quiet_frameworks() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")        # TensorFlow's C++ INFO/WARNING/ERROR lines
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    os.environ.setdefault("TORCH_LOGS", "-all")               # torch's loggers at ERROR (torch resets levels)
    for name in ("absl", "tensorflow", "keras", "torch", "onnxscript", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)
    for category in (DeprecationWarning, FutureWarning, UserWarning):
        warnings.filterwarnings("ignore", category=category)


@contextlib.contextmanager
def stderr_fd_captured():
    """File descriptor 2 goes to a temporary file inside the block; yields a function reading it."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)

        def captured() -> str:
            tmp.seek(0)
            return tmp.read().decode(errors="replace")
        try:
            yield captured
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def quiet_import(name: str):
    """import `name` with its descriptor-2 chatter dropped (re-raised with it when the import fails)."""
    if name in sys.modules:
        return sys.modules[name]
    with stderr_fd_captured() as captured:
        try:
            return importlib.import_module(name)
        except Exception as exc:
            text = captured()
            failure = exc
    if text.strip():
        sys.stderr.write(text)
    raise failure
