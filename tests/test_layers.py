"""The folders are the layers, and imports go one way:
rules <- store <- app <- ledger <- bank <- books <- excel, and the adapters (``cli*.py``,
``udfs.py``) above them all. Nothing in the package imports an adapter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import wego_xl

PACKAGE = Path(wego_xl.__file__).parent
ROOT = PACKAGE.parent
#: A layer may import from the layers listed for it (and from itself).
ALLOWED = {
    "messages": {"errors"},
    "rules": {"errors", "messages", "rules"},
    "store": {"errors", "messages", "rules", "store"},
    "app": {"errors", "messages", "rules", "store", "app"},
    "ledger": {"errors", "messages", "rules", "store", "app", "ledger"},
    "bank": {"errors", "messages", "rules", "store", "app", "ledger", "bank"},
    "books": {"errors", "messages", "rules", "store", "app", "ledger", "bank", "books"},
    "excel": {"errors", "messages", "rules", "store", "app", "ledger", "bank", "books", "excel"},
}
#: Outside packages each layer must never import.
FORBIDDEN_OUTSIDE = {
    "rules": {"openpyxl", "xlwings", "pandas", "sqlalchemy"},
    "store": {"xlwings", "sqlalchemy"},
    "app": {"xlwings", "sqlalchemy"},
    "ledger": {"xlwings"},
    "bank": {"xlwings"},
    "books": {"xlwings"},
}
#: The command line parses, calls and prints: it reads no file and no database itself.
CLI_FORBIDDEN = {"openpyxl", "sqlalchemy", "xlwings", "pandas", "docx", "docxtpl"}
#: What Excel imports reaches the package through the worksheet adapter only.
UDFS_ALLOWED = {"excel"}


def _imports(path: Path) -> list[str]:
    """Absolute module names imported by ``path`` (relative imports resolved)."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
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


def test_no_layer_imports_an_adapter():
    for path in PACKAGE.rglob("*.py"):
        if path.name.startswith("cli") or path.parent.name == "data":
            continue  # the adapters, and the RunPython module shipped in the finance workbook
        for name in _imports(path):
            assert not name.startswith(("wego_xl.cli", "udfs")), f"{path.relative_to(ROOT)} imports {name}"


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("cli*.py")), ids=lambda p: p.name)
def test_the_command_line_only_parses_calls_and_prints(path):
    for name in _imports(path):
        assert name.split(".")[0] not in CLI_FORBIDDEN, f"{path.name} imports {name}"


def test_udfs_reach_the_package_through_the_worksheet_adapter():
    for name in _imports(ROOT / "udfs.py"):
        parts = name.split(".")
        if parts[0] == "wego_xl":
            assert len(parts) > 1 and parts[1] in UDFS_ALLOWED, f"udfs.py imports {name}"


def test_every_folder_of_the_package_is_a_layer():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders <= set(ALLOWED), sorted(folders - set(ALLOWED))


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


#: The most lines a module (or a test file) and a function may hold: a newcomer reads either whole.
MODULE_LINES, FUNCTION_LINES = 500, 60
SOURCE_FOLDERS = ("wego_xl", "workbooks", "benchmarks", "tests", "tests_server", "server")


def _sources() -> list[Path]:
    files = [ROOT / "udfs.py"]
    for folder in SOURCE_FOLDERS:
        files += [p for p in (ROOT / folder).rglob("*.py") if "node_modules" not in p.parts]
    return sorted(files)


def test_no_module_is_longer_than_a_newcomer_reads_whole():
    long = {
        str(p.relative_to(ROOT)): n for p in _sources() if (n := len(p.read_text("utf-8").splitlines())) > MODULE_LINES
    }
    assert not long, long


def test_no_function_is_longer_than_a_screen_or_two():
    long = {}
    for path in _sources():
        if "tests" in path.relative_to(ROOT).parts[:1] or path.parts[-1].startswith("test_"):
            continue  # a test reads as a story: its length is its scenario's
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = lines
    assert not long, long
