"""The folders are the layers, and imports go one way: rules <- workbook <- ledger <- bank <- books <- excel, cli."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import wego_xl

PACKAGE = Path(wego_xl.__file__).parent
#: A layer may import from the layers listed for it (and from itself).
ALLOWED = {
    "messages": {"errors"},
    "rules": {"errors", "messages", "rules"},
    "workbook": {"errors", "messages", "rules", "workbook"},
    "ledger": {"errors", "messages", "rules", "workbook", "ledger"},
    "bank": {"errors", "messages", "rules", "workbook", "ledger", "bank"},
    "books": {"errors", "messages", "rules", "workbook", "ledger", "bank", "books"},
    "excel": {"errors", "messages", "rules", "workbook", "ledger", "bank", "books", "excel"},
}
#: Outside packages each pure layer must never import.
FORBIDDEN_OUTSIDE = {
    "rules": {"openpyxl", "xlwings", "pandas", "sqlalchemy"},
    "workbook": {"xlwings", "sqlalchemy"},
    "ledger": {"xlwings"},
    "bank": {"xlwings"},
    "books": {"xlwings"},
}


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


def test_the_readme_module_map_is_the_tree():
    """Every path the README's "What is where" names exists, and every module of the package
    is named there."""
    import re

    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("## What is where", 1)[1].split("```", 2)[1]
    folders: list[str] = []
    named = set()
    for line in block.splitlines():
        match = re.match(r"^( *)(\S+)", line)
        if not match or match.group(2).startswith(("#", "(")):
            continue
        depth, name = len(match.group(1)) // 2, match.group(2).rstrip(",")
        folders = folders[:depth]
        for part in name.split(","):
            path = "/".join([*folders, part.strip()]).rstrip("/")
            if path:
                assert (PACKAGE.parent / path).exists(), path
                named.add(path)
        if name.endswith("/"):
            folders.append(name.rstrip("/"))
    modules = {str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"}
    modules -= {"wego_xl/data/WeGO_Finance.py"}
    assert modules <= named, sorted(modules - named)
