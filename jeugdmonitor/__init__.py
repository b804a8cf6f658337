"""Jeugdmonitor: youth care and education per Dutch region, as a marimo app and static reports.

Four layers, imported downwards only (ARCHITECTURE.md): `data`, `analysis`, `present`, `app`.
"""

from jeugdmonitor import _moved

__version__ = "0.1.0"

_moved.install()  # old module paths (jeugdmonitor.charts, jeugdmonitor.store, …) keep working
