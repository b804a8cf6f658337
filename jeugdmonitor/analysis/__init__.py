"""Analysis layer: regions, indicators, statistics, models, benchmarks, wijken, the school linkage.

Imports the data layer only; see ARCHITECTURE.md.
"""
