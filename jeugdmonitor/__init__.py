"""Jeugdmonitor: youth care and education per Dutch region, as a marimo app and static reports."""

__version__ = "0.1.0"
