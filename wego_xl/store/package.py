"""The workbooks shipped inside the installed package, and the rule that no command
changes them: they are read through :mod:`importlib.resources`, and a user gets a
working copy with ``wego-xl init``."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from ..errors import FileError, PackagedFileError

#: The environment variable naming the roster workbook to use.
ROSTER_ENV = "WEGO_ROSTER"

_DATA = Path(str(files("wego_xl") / "data"))
SHIPPED_ROSTER = _DATA / "wego_roster.xlsx"
SHIPPED_FINANCE = _DATA / "WeGO_Finance.xlsm"
#: The finance workbook's RunPython module, which must sit beside it.
SHIPPED_FINANCE_MODULE = _DATA / "WeGO_Finance.py"
SHIPPED_FILES = (SHIPPED_ROSTER, SHIPPED_FINANCE, SHIPPED_FINANCE_MODULE)
#: The document templates (invoice, statement, reminder); ``wego-xl init`` copies them into
#: ``templates/``, where the Secretariat may restyle them in Word.
SHIPPED_TEMPLATES = _DATA / "templates"

_PACKAGE = Path(str(files("wego_xl"))).resolve()


def is_packaged(path: str | os.PathLike) -> bool:
    """True if ``path`` lies inside the installed ``wego_xl`` package."""
    return Path(path).resolve().is_relative_to(_PACKAGE)


def refuse_packaged(path: str | os.PathLike) -> None:
    """Raise :class:`PackagedFileError` if ``path`` would change the installed package."""
    if is_packaged(path):
        raise PackagedFileError(
            f"{Path(path).name} is the copy shipped inside the installed wego-xl package and is "
            f"never changed; run 'wego-xl init FOLDER' for your own copy, then set {ROSTER_ENV} "
            "to it (or give the file with --roster / --out)"
        )


def copy_shipped(folder: str | os.PathLike) -> tuple[list[Path], list[Path]]:
    """Copy the shipped workbooks into ``folder`` as the user's own working copies.

    Returns (copied, kept): a file already in ``folder`` is kept, never overwritten.
    """
    import shutil

    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(f"could not create the folder {target}: {exc.strerror or exc}") from None
    refuse_packaged(target)
    copied, kept = [], []
    (target / "templates").mkdir(exist_ok=True)
    templates = sorted(SHIPPED_TEMPLATES.glob("*.docx"))
    for shipped in (*SHIPPED_FILES, *templates):
        dest = target / ("templates" if shipped.parent == SHIPPED_TEMPLATES else "") / shipped.name
        if dest.exists():
            kept.append(dest)
            continue
        try:
            shutil.copyfile(shipped, dest)
        except OSError as exc:
            raise FileError(f"could not copy {shipped.name} to {target}: {exc.strerror or exc}") from None
        copied.append(dest)
    return copied, kept
