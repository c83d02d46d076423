"""Allows `python -m tinycc ...` as a synonym of the `tinycc` command."""
from tinycc.cli import main

raise SystemExit(main())
