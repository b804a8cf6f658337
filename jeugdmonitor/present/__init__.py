"""Presentation layer: charts, sections, markup, themes and the static report.

Imports the data and analysis layers only; see ARCHITECTURE.md.
"""
