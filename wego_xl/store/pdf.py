"""PDF through LibreOffice (soffice, headless): Word files by way of ODF, so that Korean
dates keep no gap between digits and Hangul ("2017년 1월 15일"), and any other file (the
year-end workbook) directly; fonts embedded.

LibreOffice puts automatic space between Asian and Western text (ODF's
``style:text-autospace="ideograph-alpha"``, on by default). Word's switch for it,
``w:autoSpaceDE``/``w:autoSpaceDN`` (which the templates set for Word), is ignored by
LibreOffice's Word import (checked with 7.4: its import reads and drops them): so a Word file
is converted to flat ODF first (``.fodt``: one XML file, written without a thumbnail, twice
as fast as ``.odt``), its styles set to ``text-autospace="none"``, and that file to PDF. Two
LibreOffice runs per process, whatever the number of files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import FileError

#: From this many files, two LibreOffice processes share them (on two cores or more).
PARALLEL_FROM = 40
#: ODF's automatic spacing between Asian and Western text, as LibreOffice writes it.
_AUTOSPACE = re.compile(rb'style:text-autospace="[^"]*"')
#: The default paragraph style's properties, where the spacing is off for every paragraph.
_DEFAULT_PARAGRAPH = re.compile(rb'<style:default-style style:family="paragraph">.*?</style:default-style>', re.S)


def lacking_pdf(out: Path) -> list[Path]:
    """The documents in ``out`` without their PDF (written now, or by a run whose PDF failed),
    or whose PDF is older than the document (written again since)."""
    return sorted(p for p in out.glob("*.docx") if not p.name.startswith("~$") and _stale(p, p.with_suffix(".pdf")))


def _stale(document: Path, pdf: Path) -> bool:
    return not pdf.exists() or pdf.stat().st_mtime_ns < document.stat().st_mtime_ns


def no_autospace(fodt: Path) -> None:
    """Turn LibreOffice's automatic Asian/Western spacing off in every style of ``fodt`` (a
    flat ODF text document: one XML file)."""

    def off(default: re.Match[bytes]) -> bytes:  # the default paragraph style: every paragraph's
        block = default.group(0)
        if b"style:text-autospace" in block:
            return block
        return block.replace(
            b"<style:paragraph-properties", b'<style:paragraph-properties style:text-autospace="none"', 1
        )

    data = _AUTOSPACE.sub(b'style:text-autospace="none"', fodt.read_bytes())
    fodt.write_bytes(_DEFAULT_PARAGRAPH.sub(off, data, count=1))


def _soffice(soffice: str, profile: Path, target: str, out: Path, files: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", target,
         "--outdir", str(out), *map(str, files)],
        capture_output=True, text=True, timeout=120 + 10 * len(files),
    )  # fmt: skip


def _convert(soffice: str, files: list[Path], out: Path) -> tuple[int, str]:
    """One LibreOffice (its own profile) converting ``files``: Word files to flat ODF, their
    spacing off, then everything to PDF; the return code and what it said."""
    with tempfile.TemporaryDirectory(prefix="wego-lo-") as temp:
        profile, middle = Path(temp) / "profile", Path(temp) / "fodt"
        words = [f for f in files if f.suffix.lower() == ".docx"]
        said = ""
        if words:
            done = _soffice(soffice, profile, "fodt", middle, words)  # flat ODF: no thumbnail, no zip
            said = done.stderr
        flats = [flat for flat in (middle / (f.stem + ".fodt") for f in words) if flat.exists()]
        for flat in flats:
            no_autospace(flat)
        inputs = flats + [f for f in files if f.suffix.lower() != ".docx"]
        if not inputs:
            return 1, said
        done = _soffice(soffice, profile, "pdf", out, inputs)
        return done.returncode, said + done.stderr


def to_pdf(files: list[Path], out: Path) -> list[Path]:
    """Convert files to PDF with LibreOffice (fonts embedded; Word files through ODF, with
    automatic Asian/Western spacing off); each PDF beside its file's name in ``out``. Many
    files are shared between two LibreOffice processes when the computer has the cores."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise FileError("--pdf needs LibreOffice (soffice) on this computer; the .docx files were written")
    if not files:
        return []
    workers = 2 if len(files) >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2 else 1
    with ThreadPoolExecutor(workers) as pool:
        done = list(pool.map(lambda share: _convert(soffice, share, out), [files[i::workers] for i in range(workers)]))
    pdfs = [out / (f.stem + ".pdf") for f in files]
    missing = [p.name for p in pdfs if not p.exists()]
    if any(code != 0 for code, _ in done) or missing:
        said = " ".join(line for _, text in done for line in text.splitlines() if "javaldx" not in line)[:200]
        raise FileError(
            f"LibreOffice could not convert {len(missing)} of {len(files)} documents (first: {missing[:1]}); "
            f"the .docx files were written: {said} (is libreoffice-writer installed?)"
        )
    return pdfs
