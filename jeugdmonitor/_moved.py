"""Old import paths keep working: `jeugdmonitor.charts` is `jeugdmonitor.present.charts`, etc.

The modules moved into the four layer subpackages (ARCHITECTURE.md). Notebooks, README examples and
users' own scripts import them by their old names; this finder hands out the very same module
object under the old name (so `jeugdmonitor.store is jeugdmonitor.data.store`, monkeypatching one
patches the other) and lets `python -m jeugdmonitor.<old name>` run the module. Nothing inside the
package uses the old names (tests/test_layers.py checks it).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from importlib.machinery import ModuleSpec
from types import CodeType, ModuleType

MOVED: dict[str, str] = {
    **dict.fromkeys(
        (
            "build", "demo", "fetch_plan", "files", "geocheck", "history", "region_search", "regions",
            "sources", "store",
        ),
        "data",
    ),
    **dict.fromkeys(
        (
            "benchmark", "changes", "compare", "crossval", "highlights", "indicators", "linkage",
            "model", "stats", "update", "wijk_model", "wijken",
        ),
        "analysis",
    ),
    **dict.fromkeys(
        (
            "charts", "data_status", "markup", "report", "report_csv", "sections", "themes",
            "verantwoording", "wijk_map",
        ),
        "present",
    ),
    **dict.fromkeys(
        (
            "compare_ui", "live", "marimo_client", "report_download", "serve", "transport", "ui",
            "viewstore", "worker",
        ),
        "app",
    ),
}  # fmt: skip


def new_name(name: str) -> str | None:
    """The module's current name for an old one ('jeugdmonitor.sections.common' →
    'jeugdmonitor.present.sections.common'); None when `name` did not move."""
    parts = name.split(".")
    if len(parts) < 2 or parts[0] != "jeugdmonitor" or parts[1] not in MOVED:
        return None
    return ".".join(["jeugdmonitor", MOVED[parts[1]], *parts[1:]])


class _OldNames(importlib.abc.MetaPathFinder, importlib.abc.InspectLoader):
    """Finds an old name and loads it as the moved module itself."""

    def find_spec(self, name: str, path: object = None, target: object = None):
        new = new_name(name)
        if new is None:
            return None
        origin = importlib.util.find_spec(new).origin  # `python -m` sets __file__ from it
        return importlib.util.spec_from_file_location(name, origin, loader=self)

    def __init__(self) -> None:
        self._specs: dict[str, ModuleSpec] = {}  # old name → the moved module's own spec

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        module = importlib.import_module(new_name(spec.name))
        self._specs[spec.name] = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # the import system set __spec__ to the old name's; give the module its own back
        module.__spec__ = self._specs.pop(module.__spec__.name)

    def get_code(self, fullname: str) -> CodeType | None:  # `python -m jeugdmonitor.<old>`
        spec = importlib.util.find_spec(new_name(fullname))
        return spec.loader.get_code(spec.name)

    def get_source(self, fullname: str) -> str | None:
        spec = importlib.util.find_spec(new_name(fullname))
        return spec.loader.get_source(spec.name)


def install() -> None:
    """Put the finder first, before the path finder would load a moved submodule twice."""
    if not any(isinstance(finder, _OldNames) for finder in sys.meta_path):
        sys.meta_path.insert(0, _OldNames())
