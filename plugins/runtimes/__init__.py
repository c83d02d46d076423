"""Runtimes: things that execute a model, for verification and `tinycc compare`."""
