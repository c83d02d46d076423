"""README's operator table is the one tools/op_table.py generates from the registry."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tool():
    spec = importlib.util.spec_from_file_location("op_table", ROOT / "tools" / "op_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_table_is_generated_from_the_registry():
    tool = _tool()
    readme = (ROOT / "README.md").read_text()
    assert tool.replaced(readme, tool.markdown()) == readme, "run: python tools/op_table.py --write"


def test_table_has_a_row_per_operator_with_what_runs_it():
    from tinycc.core import ops
    rows = {r[0]: r for r in _tool().rows()}
    assert set(rows) == {name.upper() for name in ops.supported()}
    assert rows["CONV_2D"][4] == "CMSIS-NN" and rows["RESHAPE"][3] == "view"
    assert rows["RELU6"][3] == "table (int8), kernel" and "int16" in rows["RELU6"][2]
