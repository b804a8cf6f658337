"""App layer: what exists only for `marimo run` and `serve` (UI, transport, view store, live data,
the server, its workers and protocol client, the nginx configuration). Imports every layer below.
"""
