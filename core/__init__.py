"""tinycc.core: the one model description, its validation, reference semantics, passes and memory plan.

The core never imports a plugin: importers, backends and runtimes reach it through `hookspec`.
"""
