"""The `tinycc` commands, one module each: `cmd_<name>(args, out) -> exit status` and
`add_parser(subparsers, registry)`; tinycc/cli.py builds the parser from them and runs one."""
