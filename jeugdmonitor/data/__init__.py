"""Data layer: raw files → the tables in `data/`, the `Store` that reads them, import, fetch, history.

Imports nothing from the layers above (analysis, present, app); see ARCHITECTURE.md.
"""
