"""The folders are the layers, and imports go one way: rules <- workbook <- excel, cli."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import wego_xl

PACKAGE = Path(wego_xl.__file__).parent
#: A layer may import from the layers listed for it (and from itself).
ALLOWED = {
    "rules": {"errors", "rules"},
    "workbook": {"errors", "rules", "workbook"},
    "excel": {"errors", "rules", "workbook", "excel"},
}
#: Outside packages each pure layer must never import.
FORBIDDEN_OUTSIDE = {"rules": {"openpyxl", "xlwings", "pandas"}, "workbook": {"xlwings"}}


def _imports(path: Path) -> list[str]:
    """Absolute module names imported by ``path`` (relative imports resolved)."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                names.append(".".join(base + ([node.module] if node.module else [])))
            else:
                names.append(node.module or "")
    return names


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_imports_go_one_way(layer):
    for path in (PACKAGE / layer).glob("*.py"):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "wego_xl" and len(parts) > 1:
                assert parts[1] in ALLOWED[layer], f"{path.name} ({layer}) imports {name}"
            assert parts[0] not in FORBIDDEN_OUTSIDE.get(layer, set()), f"{path.name} ({layer}) imports {name}"


def test_errors_import_nothing_of_the_package():
    assert not [n for n in _imports(PACKAGE / "errors.py") if n.startswith("wego_xl")]
