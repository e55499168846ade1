"""The layers of DESIGN.md and the rooms of ``ui/``, checked by walking every import.

Every ``import`` counts, wherever it sits (module level, inside a function, under
``TYPE_CHECKING``): a lazy import is still an arrow, and a cycle hidden in a function is
still a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "leaddesk"

# Which rooms of ui/ a room may import (besides itself). Arrows point one way:
# shell builds the window from the others; main holds buckets, and both open lead windows;
# the pass flows serve them all; the charts of reports serve main's Pass to pane; common
# serves everyone and imports no room.
UI_ROOMS_MAY_IMPORT: dict[str, set[str]] = {
    "shell": {
        "main",
        "admin",
        "email",
        "data",
        "buckets",
        "lead",
        "passing",
        "reports",
        "common",
    },
    "main": {"buckets", "lead", "passing", "reports", "common"},
    "buckets": {"lead", "passing", "common"},
    "lead": {"passing", "common"},
    "passing": {"common"},
    "admin": {"common"},
    "email": {"common"},
    "data": {"common"},
    "reports": {"common"},
    "common": set(),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_names(path: Path) -> Iterator[str]:
    """Every module name ``path`` imports (``from a import b`` yields ``a`` and ``a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            yield base
            for alias in node.names:
                yield f"{base}.{alias.name}"


def internal_imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {
            imported
            for imported in imported_names(path)
            if imported in modules and imported != name and not name.startswith(imported + ".")
        }
    return graph


def ui_room(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 3 and parts[:2] == ["leaddesk", "ui"]:
        return parts[2]
    return None


def test_every_ui_module_lives_in_a_room():
    loose = [
        name
        for name in all_modules()
        if name.startswith("leaddesk.ui.") and ui_room(name) not in UI_ROOMS_MAY_IMPORT
    ]
    assert loose == []


def test_ui_rooms_import_each_other_only_one_way():
    graph = internal_imports(all_modules())
    wrong = sorted(
        f"{module} -> {imported}"
        for module, targets in graph.items()
        for imported in targets
        if (room := ui_room(module)) is not None
        and (other := ui_room(imported)) is not None
        and other != room
        and other not in UI_ROOMS_MAY_IMPORT[room]
    )
    assert wrong == []


def test_no_import_cycles_in_the_window():
    graph = {
        module: {imported for imported in targets if imported.startswith("leaddesk.ui")}
        for module, targets in internal_imports(all_modules()).items()
        if module.startswith("leaddesk.ui")
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for imported in sorted(graph[module]):
            if state.get(imported) == 1:
                cycles.append([*path[path.index(imported) :], imported])
            elif imported not in state:
                visit(imported)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    # A package's __init__ importing its own submodule is how packages work, not a cycle.
    real = [cycle for cycle in cycles if not _package_init_pair(cycle)]
    assert real == []


def _package_init_pair(cycle: list[str]) -> bool:
    return len(cycle) == 3 and cycle[1].startswith(cycle[0] + ".")


@pytest.mark.parametrize(
    "layer",
    ["admin", "cli", "data_io", "local_files", "notify", "reassignment", "reports", "store"],
)
def test_only_ui_imports_qt(layer: str):
    offenders = [
        name
        for name, path in all_modules().items()
        if name.startswith(f"leaddesk.{layer}")
        and any(imported.startswith(("PySide6", "shiboken6")) for imported in imported_names(path))
    ]
    assert offenders == []


def test_ui_runs_no_sql():
    """The window calls store queries and the controller; it builds no statement itself."""
    statement_builders = {"select", "insert", "update", "delete", "text", "func"}
    offenders = []
    for name, path in all_modules().items():
        if not name.startswith("leaddesk.ui"):
            continue
        source = path.read_text(encoding="utf-8")
        for imported in imported_names(path):
            if (
                imported.startswith("sqlalchemy.")
                and imported.rsplit(".", 1)[1] in statement_builders
            ):
                offenders.append(f"{name} imports {imported}")
        if ".execute(" in source:
            offenders.append(f"{name} executes a statement")
    assert offenders == []
