"""What an openpyxl rewrite of a workbook would lose: the parts openpyxl cannot carry
(signatures, custom ribbons, Excel 2010+ (x14) conditional formats and validations, shapes,
form controls, printer settings and a few more), found in the package before a write and
compared after it, for the one write path (:mod:`.saving`)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_SHAPES = re.compile(rb"<(?:\w+:)?(?:sp|grpSp|cxnSp)[\s>]")
_CONTROL = re.compile(rb'ObjectType="(?!Note")[^"]+"')
_X14 = re.compile(rb"<(?:\w+:)?extLst>.*?(x14:|x15:)", re.S)
_UNKEPT_FOLDERS = {
    "xl/printerSettings/": "printer settings",
    "xl/ctrlProps/": "form controls (buttons, check boxes, drop-downs)",
    "xl/slicers/": "slicers",
    "xl/slicerCaches/": "slicers",
    "xl/timelines/": "timelines",
    "xl/timelineCaches/": "timelines",
    "xl/richData/": "rich data (pictures in cells, linked data types)",
    "xl/model/": "a data model (Power Pivot)",
    "customUI/": "a custom ribbon (customUI)",
    "_xmlsignatures/": "a digital signature",
}


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its worksheet part ("xl/worksheets/sheet1.xml")."""
    from defusedxml import ElementTree

    workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    parts = {}
    for sheet in workbook.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(_REL), "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        parts[sheet.get("name", "")] = target
    return parts


def _sheet_of(package: zipfile.ZipFile, part: str, sheets: dict[str, str]) -> str | None:
    """The sheet whose relationships name ``part`` (a drawing, say), if any."""
    base = part.rsplit("/", 1)[-1]
    for name, sheet_part in sheets.items():
        folder, file = sheet_part.rsplit("/", 1)
        rels = f"{folder}/_rels/{file}.rels"
        if rels in package.namelist() and base.encode() in package.read(rels):
            return name
    return None


def parts_openpyxl_drops(path: Path, replaced: set[str]) -> list[str]:
    """What an openpyxl rewrite of ``path`` would lose, outside the sheets in ``replaced``
    (which are rewritten whole anyway), in words; an empty list when nothing would be."""
    lost: list[str] = []
    replaced_keys = {s.casefold() for s in replaced}
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        sheets = _sheet_parts(package)
        kept = {n: p for n, p in sheets.items() if n.casefold() not in replaced_keys}
        for name in names:
            for folder, words in _UNKEPT_FOLDERS.items():
                if name.startswith(folder) and words not in lost:
                    lost.append(words)
            if re.fullmatch(r"xl/vbaProjectSignature\w*\.bin", name) and "the VBA project's signature" not in lost:
                lost.append("the VBA project's signature")
            if name.startswith("xl/drawings/") and name.endswith(".xml") and "/_rels/" not in name:
                data = package.read(name)
                owner = _sheet_of(package, name, kept)
                if owner and _SHAPES.search(data):
                    lost.append(f"shapes (text boxes, drawn buttons) on sheet {owner!r}")
            if name.startswith("xl/drawings/") and name.endswith(".vml"):
                owner = _sheet_of(package, name, kept)
                if owner and _CONTROL.search(package.read(name)):
                    lost.append(f"form buttons or controls on sheet {owner!r}")
        for sheet, part in kept.items():
            if part in names and _X14.search(package.read(part)):
                lost.append(f"Excel 2010+ conditional formats or data validations (x14) on sheet {sheet!r}")
    return lost


def _content_types(path: Path) -> set[str]:
    from defusedxml import ElementTree

    with zipfile.ZipFile(path) as package:
        root = ElementTree.fromstring(package.read("[Content_Types].xml"))
    return {el.get("ContentType", "") for el in root if el.tag.endswith("Override")}


#: Caches Excel rebuilds on its own when they are missing (openpyxl does not write them).
_REBUILT_BY_EXCEL = {"application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"}


def kinds_lost(source: Path, written: Path) -> set[str]:
    """The kinds of part (content types) ``source`` has and ``written`` lacks, but for the
    caches Excel rebuilds."""
    return _content_types(source) - _content_types(written) - _REBUILT_BY_EXCEL


def _sheet_names(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as package:
            return list(_sheet_parts(package))
    except (OSError, zipfile.BadZipFile, KeyError):
        return []
