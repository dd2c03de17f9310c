"""The one write path: two writers, a failing backup, symlinks, leftovers, report-sheet names,
parts openpyxl cannot keep, and dry runs. Real files and real parallel processes."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from wego_xl.errors import SaveError, StaleFileError
from wego_xl.excel.writers import refresh_file
from wego_xl.store import saving
from wego_xl.store.package import SHIPPED_FINANCE
from wego_xl.store.saving import BACKUP_FOLDER, KEEP_BACKUPS, backups_of, lock_path
from workbooks.synthetic import synthetic_roster

from ..conftest import edit_roster, files_in

CLI = [sys.executable, "-m", "wego_xl.cli"]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start(*args: object, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*CLI, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def wait_for_lock(path: Path, process: subprocess.Popen, seconds: float = 60) -> None:
    """Until ``process`` holds the write lock on ``path`` (its owner record is there)."""
    owner = path.with_name(f".{path.name}.wego-lock.owner")
    deadline = time.monotonic() + seconds
    while not owner.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the first writer never took the lock"
        time.sleep(0.01)


@pytest.fixture
def big_roster(tmp_path) -> Path:
    """A roster whose refresh takes a few seconds, so that a second writer arrives meanwhile."""
    return synthetic_roster(tmp_path, 2_000)


# -- two writers, one file ---------------------------------------------------------------------


def test_two_refreshes_at_once_both_land(big_roster):
    first = start("refresh", big_roster, "--fee-year", 2016)
    wait_for_lock(big_roster, first)
    second = start("refresh", big_roster, "--fee-year", 2017)
    assert first.wait(120) == 0, first.communicate()
    assert second.wait(120) == 0, second.communicate()
    sheets = openpyxl.load_workbook(big_roster, read_only=True).sheetnames
    assert "Fees 2016" in sheets and "Fees 2017" in sheets  # neither change was lost


def test_a_weo_import_during_a_refresh_is_kept(big_roster, tmp_path):
    edit_roster(big_roster, {"S000000": {"Country code": "KOR", "Country": "Korea, Republic of"}})
    weo = tmp_path / "weo.csv"
    weo.write_text("country,year,ppppc\nKOR,2015,36511.5\n", encoding="utf-8")
    refresh = start("refresh", big_roster, "--fee-year", 2016)
    wait_for_lock(big_roster, refresh)
    imported = start("import-weo", weo, "--roster", big_roster, "--edition", "October 2015")
    assert refresh.wait(120) == 0, refresh.communicate()
    imported.wait(120)
    out, err = imported.communicate()
    assert "1 figure(s) of October 2015 written" in out, err
    wb = openpyxl.load_workbook(big_roster, read_only=True)
    assert "Fees 2016" in wb.sheetnames
    gdp = [row[:5] for row in wb["GDP"].iter_rows(values_only=True) if row[4] == "October 2015"]
    assert gdp == [("KOR", "Korea, Republic of", 2015, 36511.5, "October 2015")]


def test_a_writer_that_cannot_wait_is_refused_naming_who_holds_the_file(big_roster):
    first = start("refresh", big_roster, "--fee-year", 2016)
    wait_for_lock(big_roster, first)
    second = start("refresh", big_roster, "--fee-year", 2017, WEGO_LOCK_TIMEOUT="0.2")
    assert second.wait(60) == 2
    _, err = second.communicate()
    assert err.count("\n") == 1
    assert re.search(rf"is being changed by 'wego-xl refresh' run by .+ \(process {first.pid}, since ", err), err
    assert "nothing was changed" in err
    assert first.wait(120) == 0
    sheets = openpyxl.load_workbook(big_roster, read_only=True).sheetnames
    assert "Fees 2016" in sheets and "Fees 2017" not in sheets


def test_a_change_made_meanwhile_is_never_overwritten(roster_copy):
    def excel_saves_meanwhile(tmp: Path) -> None:
        edit_roster(roster_copy, {"Seoul": {"Notes": "typed in Excel meanwhile"}})

    with pytest.raises(StaleFileError, match="was changed by someone else while this command ran"):
        refresh_file(roster_copy, 2016, before_replace=excel_saves_meanwhile)
    wb = openpyxl.load_workbook(roster_copy)
    assert "Fees 2016" not in wb.sheetnames
    assert "typed in Excel meanwhile" in [c.value for c in wb["Members"][2]]
    assert files_in(roster_copy.parent) == ["roster.xlsx"]


# -- backups -----------------------------------------------------------------------------------


def test_a_backup_failing_half_way_destroys_no_earlier_backup(roster_copy, monkeypatch):
    refresh_file(roster_copy, 2016)
    [good] = backups_of(roster_copy)
    good_bytes, current = good.read_bytes(), digest(roster_copy)
    real_copy = saving._copy_file

    def disk_fills_up(source: Path, target: Path) -> None:
        real_copy(source, target)
        with open(target, "r+b") as fh:  # what a full disk leaves: a cut file
            fh.truncate(1000)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(saving, "_copy_file", disk_fills_up)
    with pytest.raises(SaveError, match=r"could not keep a backup .+ No space left on device; nothing was changed"):
        refresh_file(roster_copy, 2017)
    assert digest(roster_copy) == current
    assert backups_of(roster_copy) == [good] and good.read_bytes() == good_bytes
    assert zipfile.is_zipfile(good)
    assert files_in(roster_copy.parent / BACKUP_FOLDER) == [good.name]  # no cut temporary file


def test_the_newest_backups_are_kept(roster_copy):
    versions = []
    for year in range(2016, 2016 + KEEP_BACKUPS + 2):
        versions.append(digest(roster_copy))
        refresh_file(roster_copy, year)
    kept = backups_of(roster_copy)
    assert len(kept) == KEEP_BACKUPS
    assert [digest(p) for p in kept] == versions[-KEEP_BACKUPS:]


# -- symlinks and leftovers ----------------------------------------------------------------------


def test_a_roster_reached_through_a_symlink(roster_copy, tmp_path):
    desk = tmp_path / "desk"
    desk.mkdir()
    link = desk / "roster.xlsx"
    link.symlink_to(roster_copy)
    out = subprocess.run([*CLI, "refresh", link, "--fee-year", "2016"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert link.is_symlink() and link.resolve() == roster_copy
    assert "Fees 2016" in openpyxl.load_workbook(roster_copy).sheetnames  # the shared target was updated
    assert backups_of(roster_copy) and not (desk / BACKUP_FOLDER).exists()
    (roster_copy.parent / ("~$" + roster_copy.name)).write_bytes(b"Excel has the target open")
    before = digest(roster_copy)
    out = subprocess.run([*CLI, "refresh", link, "--fee-year", "2017"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "open in Excel" in out.stderr
    assert digest(roster_copy) == before and link.is_symlink()


def test_a_writer_killed_during_the_save_leaves_nothing_the_next_one_keeps(roster_copy):
    code = (
        "import os, signal, sys; from pathlib import Path; from wego_xl.excel.writers import refresh_file; "
        "refresh_file(Path(sys.argv[1]), 2016, before_replace=lambda tmp: os.kill(os.getpid(), signal.SIGKILL))"
    )
    before = digest(roster_copy)
    killed = subprocess.run([sys.executable, "-c", code, str(roster_copy)], capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    leftovers = [n for n in files_in(roster_copy.parent) if n.endswith(".xlsx.tmp")]
    assert len(leftovers) == 1 and digest(roster_copy) == before  # a real leftover of a real kill -9
    unrelated = roster_copy.parent / ".roster.notes.tmp"
    unrelated.write_text("not the toolkit's")
    old = time.time() - 60
    os.utime(roster_copy.parent / leftovers[0], (old, old))
    refresh_file(roster_copy, 2017)
    assert files_in(roster_copy.parent) == sorted([".roster.notes.tmp", BACKUP_FOLDER, "roster.xlsx"])


# -- report-sheet names ----------------------------------------------------------------------------


@pytest.mark.parametrize("mine", ["checks", "SUMMARY", "fees 2016"])
def test_a_user_sheet_named_like_a_report_sheet_is_refused_every_time(roster_copy, mine):
    wb = openpyxl.load_workbook(roster_copy)
    wb.create_sheet(mine)["A1"] = "my own work"
    wb.save(roster_copy)
    before = digest(roster_copy)
    for _ in range(2):
        out = subprocess.run(
            [*CLI, "refresh", roster_copy, "--fee-year", "2016"], capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
        assert f"has a sheet named {mine!r}" in out.stderr and "rename your sheet" in out.stderr
        assert digest(roster_copy) == before


# -- what openpyxl cannot keep ---------------------------------------------------------------------


def _add_parts(path: Path, parts: dict[str, bytes], edits: dict[str, tuple[bytes, bytes]]) -> None:
    """Rewrite the package ``path`` with extra ``parts`` and text ``edits`` (old -> new) in parts."""
    items = {}
    with zipfile.ZipFile(path) as package:
        for info in package.infolist():
            items[info.filename] = package.read(info.filename)
    for name, (old, new) in edits.items():
        assert old in items[name], (name, old)
        items[name] = items[name].replace(old, new, 1)
    items.update(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in items.items():
            package.writestr(name, data)


def _members_part(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return saving._sheet_parts(package)["Members"]


CUSTOM_UI = {
    "customUI/customUI14.xml": b'<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui"><ribbon>'
    b'<tabs><tab id="wego" label="WeGO"><group id="g" label="Fees"><button id="r" label="Refresh" '
    b'onAction="SampleCall"/></group></tab></tabs></ribbon></customUI>',
}
X14 = (
    b'<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings>'
    b'<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    b'<x14:cfRule type="dataBar" id="{00000000-0000-0000-0000-000000000001}"><x14:dataBar minLength="0" '
    b'maxLength="100"><x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/></x14:dataBar></x14:cfRule>'
    b"<xm:sqref>L2:L101</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>"
)
SHAPE = (
    b'<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
    b'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><xdr:twoCellAnchor>'
    b"<xdr:from><xdr:col>5</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
    b"<xdr:to><xdr:col>8</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>4</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
    b'<xdr:sp macro="[0]!SampleCall" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="Refresh button"/><xdr:cNvSpPr/>'
    b'</xdr:nvSpPr><xdr:spPr><a:prstGeom prst="roundRect"><a:avLst/></a:prstGeom></xdr:spPr>'
    b"<xdr:txBody><a:bodyPr/><a:p><a:r><a:t>Refresh</a:t></a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData/>"
    b"</xdr:twoCellAnchor></xdr:wsDr>"
)
REL = b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'


def _with_custom_ui(path: Path) -> None:
    _add_parts(
        path,
        CUSTOM_UI,
        {
            "_rels/.rels": (
                b"</Relationships>",
                b'<Relationship Id="rIdUI" Type="http://schemas.microsoft.com/office/2007/relationships/ui/'
                b'extensibility" Target="customUI/customUI14.xml"/></Relationships>',
            )
        },
    )


def _with_x14(path: Path) -> None:
    _add_parts(path, {}, {_members_part(path): (b"</worksheet>", X14 + b"</worksheet>")})


def _with_shape_on_about(path: Path) -> None:
    with zipfile.ZipFile(path) as package:
        about = saving._sheet_parts(package)["About"]
    folder, name = about.rsplit("/", 1)
    _add_parts(
        path,
        {"xl/drawings/drawing1.xml": SHAPE},
        {
            about: (
                b"<tableParts",
                b'<drawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
                b'r:id="rIdShape" /><tableParts',
            ),
            f"{folder}/_rels/{name}.rels": (
                b"</Relationships>",
                REL + b'drawing" Target="/xl/drawings/drawing1.xml" Id="rIdShape" /></Relationships>',
            ),
            "[Content_Types].xml": (
                b"</Types>",
                b'<Override PartName="/xl/drawings/drawing1.xml" '
                b'ContentType="application/vnd.openxmlformats-officedocument.drawing+xml" /></Types>',
            ),
        },
    )


def _signed_xlsm(path: Path) -> None:
    path.write_bytes(SHIPPED_FINANCE.read_bytes())
    _add_parts(
        path,
        {
            "xl/vbaProjectSignature.bin": b"\x30\x82signature-bytes",
            "xl/_rels/vbaProject.bin.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'relationships"><Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2006/relationships/'
            b'vbaProjectSignature" Target="vbaProjectSignature.bin"/></Relationships>',
        },
        {
            "[Content_Types].xml": (
                b"</Types>",
                b'<Override PartName="/xl/vbaProjectSignature.bin" '
                b'ContentType="application/vnd.ms-office.vbaProjectSignature"/></Types>',
            )
        },
    )


@pytest.mark.parametrize(
    "make,words",
    [
        (_with_custom_ui, "a custom ribbon (customUI)"),
        (_with_x14, "Excel 2010+ conditional formats or data validations (x14) on sheet 'Members'"),
        (_with_shape_on_about, "shapes (text boxes, drawn buttons) on sheet 'About'"),
    ],
)
def test_a_rewrite_that_would_lose_parts_is_refused_and_out_offered(roster_copy, make, words):
    make(roster_copy)
    assert openpyxl.load_workbook(roster_copy).sheetnames[0] == "Members"  # a workbook openpyxl reads
    before = digest(roster_copy)
    out = subprocess.run(
        [*CLI, "refresh", roster_copy, "--fee-year", "2016"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert words in out.stderr and "give --out NEW.xlsx" in out.stderr
    assert digest(roster_copy) == before and files_in(roster_copy.parent) == ["roster.xlsx"]
    copy = roster_copy.parent / "copy.xlsx"
    out = subprocess.run(
        [*CLI, "refresh", roster_copy, "--fee-year", "2016", "--out", copy], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "warning: copy.xlsx is written without" in out.stdout and words in out.stdout
    assert digest(roster_copy) == before and "Fees 2016" in openpyxl.load_workbook(copy).sheetnames


def test_a_signed_macro_workbook_is_never_rewritten_without_its_signature(tmp_path):
    book = tmp_path / "WeGO_Finance.xlsm"
    _signed_xlsm(book)
    before = digest(book)
    out = subprocess.run(
        [*CLI, "refresh", book, "--fee-year", "2016"],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "WEGO_ROSTER"},
    )
    assert out.returncode == 2, out.stderr
    assert "the VBA project's signature" in out.stderr and digest(book) == before


def test_a_package_check_after_writing_catches_kinds_of_part_openpyxl_dropped(roster_copy):
    _add_parts(
        roster_copy,
        {"xl/metadata.xml": b'<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'},
        {
            "[Content_Types].xml": (
                b"</Types>",
                b'<Override PartName="/xl/metadata.xml" '
                b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"/></Types>',
            )
        },
    )
    before = digest(roster_copy)
    with pytest.raises(Exception, match=r"would lose parts of these kinds: .*sheetMetadata\+xml"):
        refresh_file(roster_copy, 2016)
    assert digest(roster_copy) == before and files_in(roster_copy.parent) == ["roster.xlsx"]


# -- dry runs ------------------------------------------------------------------------------------


def test_dry_runs_write_nothing(roster_copy, tmp_path):
    before = digest(roster_copy)
    out = subprocess.run(
        [*CLI, "refresh", roster_copy, "--fee-year", "2016", "--dry-run"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "Dry run: nothing written" in out.stdout and "adds Summary, Fees 2016, Checks" in out.stdout
    weo = tmp_path / "weo.csv"
    weo.write_text("country,year,ppppc\nKOR,2014,35379\n", encoding="utf-8")
    out = subprocess.run(
        [*CLI, "import-weo", weo, "--roster", roster_copy, "--edition", "April 2015", "--dry-run"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "would be written (dry run: nothing written)" in out.stdout, out.stderr
    assert digest(roster_copy) == before
    assert files_in(roster_copy.parent) == ["roster.xlsx", "weo.csv"]
    assert lock_path(roster_copy).exists()  # the lock file stays, hidden, by design
