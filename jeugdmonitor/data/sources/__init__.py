"""Importers: each turns one kind of raw source into tidy polars frames (no files written here)."""
