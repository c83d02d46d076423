"""tinycc.plugins: built-in importers and runtimes, each registered through the `tinycc` entry-point group."""
