"""The package's layers (ARCHITECTURE.md): imports run downwards only and never in a circle.

Read from the source with `ast` (nothing is imported): every `import` and `from … import` in a
module counts, also those inside functions; only those under `if TYPE_CHECKING:` do not (they
never run). `from package import module` is an import of that module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "jeugdmonitor"
LAYERS = ("data", "analysis", "present", "app")  # bottom to top
TOP = {"jeugdmonitor", "jeugdmonitor.cli", "jeugdmonitor._moved"}  # entry points, above the layers


def module_names(package: Path) -> dict[str, Path]:
    """Dotted name → file of every module under `package` (a package is its __init__)."""
    names = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Ids of the import nodes inside `if TYPE_CHECKING:` blocks."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skipped


def imported_names(name: str, path: Path) -> list[list[str]]:
    """Per import statement of module `name` (at `path`): the dotted names it may import
    (`from a import b` may import `a.b`, else `a`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = _type_checking_only(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    statements = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            statements += [[alias.name] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            statements.append([*(f"{base}.{alias.name}" for alias in node.names), base])
    return statements


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that module `name` (at `path`) imports."""
    found = set()
    for candidates in imported_names(name, path):
        submodules = [t for t in candidates[:-1] if t in known]
        targets = submodules or candidates[-1:]
        for target in targets:
            while target and target not in known:  # `import a.b.c` of a name inside a module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module → the package's modules it imports."""
    names = module_names(package)
    return {name: imports(name, path, set(names)) for name, path in names.items()}


def layer_of(module: str) -> int | None:
    """0 (data) … 3 (app); None for the entry points above the layers."""
    parts = module.split(".")
    if module in TOP:
        return None
    assert len(parts) > 1 and parts[1] in LAYERS, f"{module} is in no layer (ARCHITECTURE.md)"
    return LAYERS.index(parts[1])


def upward(edges: dict[str, set[str]]) -> list[str]:
    """'a → b' for every import of a higher layer (or of an entry point) by a lower one."""
    wrong = []
    for module, targets in sorted(edges.items()):
        here = layer_of(module)
        for target in sorted(targets):
            if here is None or target == "jeugdmonitor":
                continue
            there = layer_of(target)
            if there is None or there > here:
                wrong.append(f"{module} → {target}")
    return wrong


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_every_module_is_in_a_layer():
    assert all(layer_of(m) in (None, 0, 1, 2, 3) for m in graph())


def test_no_layer_imports_a_higher_one():
    assert upward(graph()) == []


def test_no_import_cycles():
    assert cycles(graph()) == []


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "jeugdmonitor"
    for name, text in {"__init__.py": "", **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    for layer in LAYERS:
        (root / layer / "__init__.py").parent.mkdir(parents=True, exist_ok=True)
        (root / layer / "__init__.py").touch()
    return root


def test_the_check_finds_an_upward_import_also_inside_a_function(tmp_path):
    root = _package(
        tmp_path,
        {
            "data/store.py": "def f():\n    from jeugdmonitor.present import charts\n",
            "present/charts.py": "from jeugdmonitor.data.store import f\n",
        },
    )
    assert upward(graph(root)) == ["jeugdmonitor.data.store → jeugdmonitor.present.charts"]


@pytest.mark.parametrize(
    "statement",
    ["from jeugdmonitor.app import ui", "import jeugdmonitor.app.ui", "from ..app.ui import x"],
)
def test_the_check_finds_each_import_form(tmp_path, statement):
    root = _package(tmp_path, {"present/report.py": statement + "\n", "app/ui.py": "x = 1\n"})
    assert upward(graph(root)) == ["jeugdmonitor.present.report → jeugdmonitor.app.ui"]


def test_the_check_finds_a_cycle_but_not_a_type_checking_import(tmp_path):
    root = _package(
        tmp_path,
        {
            "data/a.py": "from jeugdmonitor.data import b\n",
            "data/b.py": "import jeugdmonitor.data.c\n",
            "data/c.py": "from jeugdmonitor.data.a import x\n",
            "data/d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from jeugdmonitor.data.e import y\n",
            "data/e.py": "from jeugdmonitor.data.d import z\n",
        },
    )
    assert cycles(graph(root)) == [
        ["jeugdmonitor.data.a", "jeugdmonitor.data.b", "jeugdmonitor.data.c"]
    ]


def test_nothing_in_the_package_uses_an_old_module_path():
    """The old names (`jeugdmonitor.charts`) are for users' code; the package uses the real ones."""
    from jeugdmonitor._moved import new_name

    old = [
        f"{name} → {target}"
        for name, path in module_names(PACKAGE).items()
        for candidates in imported_names(name, path)
        for target in candidates
        if new_name(target) is not None
    ]
    assert old == []


def test_old_module_paths_are_the_moved_modules():
    """Notebooks and the README's examples import the old paths: the same module objects."""
    import importlib

    from jeugdmonitor.linkage import views
    from jeugdmonitor.sections.common import md_escape

    import jeugdmonitor.present.sections.common as common
    from jeugdmonitor import charts, model

    assert md_escape is common.md_escape
    assert importlib.import_module("jeugdmonitor.sections.common") is common
    assert charts is importlib.import_module("jeugdmonitor.present.charts")
    assert model is importlib.import_module("jeugdmonitor.analysis.model")
    assert views is importlib.import_module("jeugdmonitor.analysis.linkage.views")
    assert (
        common.__spec__.name == "jeugdmonitor.present.sections.common"
    )  # its own, not the alias's
    assert importlib.import_module("jeugdmonitor.store").__spec__.name == "jeugdmonitor.data.store"
