"""Importers: source model formats -> the core graph."""
