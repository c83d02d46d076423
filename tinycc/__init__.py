"""tinycc: a TinyML compiler frontend. Trained models in, bit-exact firmware C out.

The import package is assembled from the repository's folders (see pyproject's package-dir):
`tinycc.core` (model description, passes, reference semantics), `tinycc.plugins` (importers,
runtimes) and `tinycc.backends` (code generators). This module holds only the version.
"""
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("tinycc-ml")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"
