"""Shared pytest setup: the terminal summary of the ONNX node cases and the importer fuzzing.

tests/ is a package: test modules import their helpers as `tests.tflm`, `tests.ops.check`, ...
"""
from pathlib import Path


def pytest_terminal_summary(terminalreporter):
    """Print the per-operator pass counts of ONNX's node cases (written by test_onnx_node_cases) and the
    importer fuzzing counts (test_fuzz_models)."""
    import json
    if hasattr(terminalreporter.config, "workerinput"):      # an xdist worker: the controller prints
        return
    _fuzz_summary(terminalreporter)
    report = Path(__file__).resolve().parents[1] / ".pytest_cache" / "tinycc-onnx-node-cases"
    files = sorted(report.glob("*.json")) if report.is_dir() else []
    if not files:
        return
    rows = [(f.stem, json.loads(f.read_text())) for f in files]
    terminalreporter.write_sep("-", "ONNX node cases: passed / refused per operator")
    terminalreporter.write_line("  ".join(f"{op} {c.get('passed', 0)}/{c.get('refused', 0)}" for op, c in rows))
    for f in files:
        f.unlink()


def _fuzz_summary(terminalreporter):
    """The counts of the importer fuzzing (written by test_fuzz_models) per format and family."""
    import json
    report = Path(__file__).resolve().parents[1] / ".pytest_cache" / "tinycc-fuzz"
    files = sorted(report.glob("*.json")) if report.is_dir() else []
    if not files:
        return
    terminalreporter.write_sep("-", "malformed-model fuzzing: cases / loaded OK / clear errors / failures")
    for f in files:
        c = json.loads(f.read_text())
        terminalreporter.write_line(f"{f.stem}: {c['cases']} / {c['ok']} / {c['errors']} / {c['failures']} "
                                    f"({c['seconds']} s)")
        f.unlink()
