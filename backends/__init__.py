"""tinycc.backends: code generators, each a plugin registered through the `tinycc` entry-point group."""
