"""The one write path for every command that changes a workbook file.

::

    with WorkbookUpdate(source, command="refresh", replaces=sheet_names, out=out) as update:
        roster = read_roster(update.source)    # read under the lock
        wb = update.open()                     # the whole workbook, macros kept
        ...                                    # change only the sheets named in ``replaces``
        result = update.save(wb)               # or update.save(wb, dry_run=True)

What it guarantees:

* **Symlinks** are resolved: the file a link points to is read and written, the link stays
  a link, and Excel's owner file is looked for beside both.
* **Excel** has the file open (its owner file ``~$NAME.xlsx`` is there), or **LibreOffice**
  has (its lock file ``.~lock.NAME.xlsx#``, naming who): refused.
* **A read-only file** (no write permission, or Windows' read-only attribute) is refused
  before anything is written: the rename would otherwise replace it.
* **One writer at a time**: a lock beside the file (``.NAME.xlsx.wego-lock``, the
  ``filelock`` package) is held from the first read to the rename. A second writer waits
  up to ``WEGO_LOCK_TIMEOUT`` seconds (default 60), then is refused with the name of the
  command, user, machine and start time holding it.
* **The file is still the one that was read** (size, modification time, SHA-256) just
  before it is replaced, else refused: a change made meanwhile (by Excel, a copy) is kept.
* **Nothing the toolkit does not own is lost**: openpyxl cannot carry signatures, custom
  ribbons, Excel 2010+ (x14) conditional formats and validations, shapes, form controls,
  printer settings and a few more parts. Before an in-place rewrite would drop any of them,
  it is refused, naming what would be lost; ``--out NEW.xlsx`` writes a copy instead and
  leaves the original as it is.
* **Atomic**: the new file is written beside the old one, flushed to disk, then renamed
  over it; a failure at any point leaves the original byte-identical.
* **Backups**: the previous version is kept as ``.wego-backups/NAME.YYYYMMDD-HHMMSS.xlsx``
  beside the file, itself written to a temporary file and renamed, so an existing backup
  is never truncated; the newest ``KEEP_BACKUPS`` (5) are kept.
* **Leftovers** of a writer that died (its temporary files, older than the lock) are
  removed by the next write; nothing else is touched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import gc
import getpass
import hashlib
import json
import math
import os
import re
import socket
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from ..errors import FileError, SaveError, StaleFileError, WorkbookBusyError, WouldLoseError
from .package import refuse_packaged
from .xlsx import open_workbook

#: How many previous versions of a workbook are kept in its backup folder.
KEEP_BACKUPS = 5
BACKUP_FOLDER = ".wego-backups"
LOCK_TIMEOUT_ENV = "WEGO_LOCK_TIMEOUT"
#: The longest wait for a lock that ``WEGO_LOCK_TIMEOUT`` may ask for (a day).
MAX_LOCK_TIMEOUT = 86_400
DEFAULT_LOCK_TIMEOUT = 60.0
_CHUNK = 1 << 20


def owner_file(path: Path) -> Path:
    """The owner (lock) file Excel creates beside a workbook it has open."""
    return path.with_name("~$" + path.name)


def libreoffice_lock_file(path: Path) -> Path:
    """The lock file LibreOffice (and OpenOffice) creates beside a document it has open."""
    return path.with_name(f".~lock.{path.name}#")


def _libreoffice_user(lock: Path) -> str:
    """Who LibreOffice says has the file open: its lock file is one CSV line
    (``NAME,HOST,USER,DATE,PROFILE;``, a field possibly blank); the first name it gives."""
    import csv

    try:
        text = lock.read_bytes()[:4096].decode("utf-8", "replace")
    except OSError:
        return ""
    fields = next(csv.reader([text.strip().rstrip(";")]), [])
    return next((f.strip() for f in fields[:3] if f.strip() and f.strip().isprintable()), "")[:80]


def check_not_open(path: Path) -> None:
    """Raise :class:`WorkbookBusyError` if Excel (its owner file ``~$NAME``) or LibreOffice
    (its lock file ``.~lock.NAME#``) has ``path`` open, beside the link and its target."""
    for place in {Path(path), Path(path).resolve()}:
        lock = owner_file(place)
        if lock.exists():
            raise WorkbookBusyError(
                f"{place.name} is open in Excel (found {lock.name}); close it in Excel and try again"
            )
        office = libreoffice_lock_file(place)
        if office.exists():
            who = _libreoffice_user(office)
            raise WorkbookBusyError(
                f"{place.name} is open in LibreOffice{f' by {who}' if who else ''} (found {office.name}); "
                "close it there and try again (if LibreOffice is not running, delete that file); nothing was changed"
            )


def is_read_only(path: Path) -> bool:
    """True when ``path`` exists and is marked read-only: no write permission for anyone (a
    mode root obeys here too), no write permission for this user, or Windows' read-only
    attribute."""
    import stat

    try:
        st = path.stat()
    except OSError:
        return False
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return True
    if getattr(st, "st_file_attributes", 0) & getattr(stat, "FILE_ATTRIBUTE_READONLY", 0):
        return True  # pragma: no cover - Windows
    return not os.access(path, os.W_OK)


def check_writable(path: Path) -> None:
    """Raise :class:`FileError` if ``path`` (or the file its link points to) is
    read-only: a write would replace it through a rename, against its owner's wish."""
    for place in {Path(path), Path(path).resolve()}:
        if is_read_only(place):
            raise FileError(
                f"{place} is read-only; nothing was changed: make it writable (its Properties, or chmod u+w) "
                "if it should change, or give --out NEW.xlsx to write a copy"
            )


def lock_path(path: Path) -> Path:
    """The toolkit's lock file beside ``path``."""
    return path.with_name(f".{path.name}.wego-lock")


def _holder_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.wego-lock.owner")


def temp_pattern(path: Path) -> re.Pattern[str]:
    """The names of the toolkit's own temporary files for ``path`` (and only those)."""
    return re.compile(re.escape(f".{path.stem}.") + r"[A-Za-z0-9_]+" + re.escape(f"{path.suffix}.tmp"))


@dataclass(frozen=True)
class Stamp:
    """What identifies one version of a file: size, modification time and content hash."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> Stamp | None:
        try:
            st = path.stat()
            digest = hashlib.sha256()
            with open(path, "rb") as fh:
                for chunk in iter(lambda: fh.read(_CHUNK), b""):
                    digest.update(chunk)
        except FileNotFoundError:
            return None
        return cls(st.st_size, st.st_mtime_ns, digest.hexdigest())


@dataclass
class SaveResult:
    """What a save did (or, for a dry run, would do)."""

    target: Path
    written: bool
    backup: Path | None = None
    replaced_sheets: list[str] = field(default_factory=list)
    added_sheets: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _mode_for(path: Path) -> int:
    """The permissions the saved file should have: the old file's, else the usual default."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - folders that cannot be opened (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - file systems without directory fsync
        pass
    finally:
        os.close(fd)


def _copy_file(source: Path, target: Path) -> None:
    """Copy ``source`` to the new file ``target``, flushed to disk."""
    with open(source, "rb") as src, open(target, "wb") as dst:
        for chunk in iter(lambda: src.read(_CHUNK), b""):
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())


def _quietly_save(wb: Any, tmp: Path, target: Path) -> None:
    """``wb.save(tmp)``, flushed to disk, or a one-line :class:`SaveError` naming ``target``.

    openpyxl's writer generators, cut short by a failed write, complain as they are
    collected; they are collected here, quietly, and the failure is reported in one line."""
    saved_hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    failure = None
    try:
        try:
            wb.save(tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        except OSError as exc:
            failure = f"could not write {target}: {exc.strerror or exc}; nothing was changed"
        except Exception as exc:  # openpyxl writes through lxml when it is installed: its I/O errors
            if type(exc).__name__ != "SerialisationError":  # (IO_EFBIG, ENOSPC) are not OSErrors
                raise
            code = str(exc).removeprefix("IO_")  # lxml names the errno: "IO_EFBIG", "IO_ENOSPC"
            said = os.strerror(getattr(errno, code)) if hasattr(errno, code) else str(exc)
            failure = f"could not write {target}: {said}; nothing was changed"
        gc.collect()
    finally:
        sys.unraisablehook = saved_hook
    if failure:
        raise SaveError(failure)


def save_new(wb: Any, path: Path) -> Path:
    """Write ``wb`` to ``path`` through a temporary file and a rename, with no lock and no
    backup: for the builders of the shipped workbooks, which make files from scratch."""
    path = Path(path)
    check_writable(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix + ".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        _quietly_save(wb, tmp, path)
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


# ---------------------------------------------------------------------------------------
# What openpyxl would drop
# ---------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------
# The update
# ---------------------------------------------------------------------------------------


def _lock_timeout() -> float:
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "")
    if not raw.strip():
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not 0 <= seconds <= MAX_LOCK_TIMEOUT:  # NaN, infinite, negative (filelock: wait forever) or too long
        raise FileError(
            f"{LOCK_TIMEOUT_ENV} must be a number of seconds from 0 to {MAX_LOCK_TIMEOUT:,}, got {raw!r}: "
            f"set it again, or unset it for the default ({DEFAULT_LOCK_TIMEOUT:g} seconds)"
        )
    return seconds


def _holder(path: Path) -> str:
    """Who holds the lock on ``path``, in words (as recorded by that writer)."""
    try:
        info = json.loads(_holder_path(path).read_text(encoding="utf-8"))
        return (
            f"'wego-xl {info['command']}' run by {info['user']} on {info['host']} "
            f"(process {info['pid']}, since {info['since']})"
        )
    except (OSError, ValueError, KeyError):
        return "another wego-xl command"


class WorkbookUpdate:
    """One change to one workbook file, from the first read to the rename (see the module)."""

    def __init__(
        self,
        source: Path,
        *,
        command: str,
        replaces: set[str] | None = None,
        out: Path | None = None,
        before_replace: Callable[[Path], None] | None = None,
    ):
        self.link = Path(source)
        self.source = self.link.resolve()
        self.target = Path(out).resolve() if out else self.source
        self.in_place = self.target == self.source
        self.command = command
        self.replaces = set(replaces or ())
        self.before_replace = before_replace
        self._lock: Any = None
        self._locked_at = 0.0
        self._stamps: dict[Path, Stamp | None] = {}

    # -- the lock -------------------------------------------------------------------------
    def __enter__(self) -> WorkbookUpdate:
        from filelock import FileLock, Timeout

        refuse_packaged(self.target)
        check_not_open(self.link)
        check_not_open(self.source)
        check_not_open(self.target)
        check_writable(self.target)  # replaced through a rename, which a read-only file does not stop
        if not self.target.parent.is_dir():
            try:
                self.target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise FileError(f"could not create the folder {self.target.parent}: {exc.strerror or exc}") from None
        timeout = _lock_timeout()
        lock = FileLock(str(lock_path(self.target)), timeout=timeout)
        try:
            lock.acquire()
        except Timeout:
            raise WorkbookBusyError(
                f"{self.target.name} is being changed by {_holder(self.target)}; nothing was changed: "
                f"wait for it to finish (waited {timeout:g} s), then run this again"
            ) from None
        except OSError as exc:
            raise SaveError(
                f"could not lock {self.target.name} in {self.target.parent}: {exc.strerror or exc}; nothing was changed"
            ) from None
        self._lock = lock
        self._locked_at = time.time()
        try:
            self._refuse_losses()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        self._record_holder()
        self._remove_leftovers()
        for path in {self.source, self.target}:
            self._stamps[path] = Stamp.of(path)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        _holder_path(self.target).unlink(missing_ok=True)
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _record_holder(self) -> None:
        try:
            user = getpass.getuser()
        except Exception:  # pragma: no cover - no user name known
            user = "unknown user"
        info = {
            "command": self.command,
            "user": user,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": dt.datetime.now().isoformat(timespec="seconds"),
        }
        with contextlib.suppress(OSError):  # without it, the message names no holder
            _holder_path(self.target).write_text(json.dumps(info), encoding="utf-8")

    def _remove_leftovers(self) -> None:
        """Temporary files of this toolkit's naming, left by a writer that died."""
        pattern = temp_pattern(self.target)
        folders = [self.target.parent, self.target.parent / BACKUP_FOLDER]
        for folder in folders:
            if not folder.is_dir():
                continue
            for leftover in folder.iterdir():
                mine = pattern.fullmatch(leftover.name) or (
                    folder.name == BACKUP_FOLDER
                    and leftover.name.startswith(f".{self.target.stem}.")
                    and leftover.name.endswith(".tmp")
                )
                try:
                    if mine and leftover.stat().st_mtime < self._locked_at:
                        leftover.unlink()
                except OSError:  # pragma: no cover - gone already, or not ours to remove
                    pass

    # -- reading and writing ---------------------------------------------------------------
    def open(self) -> Any:
        """The source workbook, whole (macros kept), for changing."""
        return open_workbook(self.source, for_writing=True)

    def save(self, wb: Any, *, dry_run: bool = False) -> SaveResult:
        """Write ``wb`` to the target (see the module for every check), or only say what
        would change (``dry_run``)."""
        before = set(_sheet_names(self.target)) if self.target.exists() else set()
        result = SaveResult(self.target, written=False)
        result.replaced_sheets = [s for s in wb.sheetnames if s in self.replaces and s in before]
        result.added_sheets = [s for s in wb.sheetnames if s in self.replaces and s not in before]
        lost = self._refuse_losses()
        if lost:
            result.warnings.append(f"{self.target.name} is written without {'; '.join(lost)} of {self.source.name}")
        if dry_run:
            return result
        self._write(wb, result)
        return result

    def _refuse_losses(self) -> list[str]:
        """What a rewrite would lose; refused (before anything is read) when in place."""
        try:
            lost = parts_openpyxl_drops(self.source, self.replaces)
        except (OSError, KeyError, ValueError, zipfile.BadZipFile, SyntaxError):
            return []  # not a usable package: reading it says what is wrong, in one line
        if lost and self.in_place:
            raise WouldLoseError(
                f"rewriting {self.target.name} would lose what this toolkit cannot keep: {'; '.join(lost)}; "
                f"nothing was changed: give --out NEW{self.target.suffix} to write a new file instead"
            )
        return lost

    def _write(self, wb: Any, result: SaveResult) -> None:
        target = self.target
        tmp = self._temp_file(target.parent)
        try:
            _quietly_save(wb, tmp, target)
            os.chmod(tmp, _mode_for(target))
            self._check_nothing_lost(tmp)
            if self.before_replace:
                self.before_replace(tmp)
            self._check_unchanged()
            if target.exists():
                result.backup = self._backup(target)
            os.replace(tmp, target)
            _fsync_folder(target.parent)
        except OSError as exc:
            raise SaveError(f"could not write {target}: {exc.strerror or exc}; nothing was changed") from None
        finally:
            tmp.unlink(missing_ok=True)
        result.written = True

    def _temp_file(self, folder: Path) -> Path:
        try:
            fd, name = tempfile.mkstemp(prefix=f".{self.target.stem}.", suffix=self.target.suffix + ".tmp", dir=folder)
        except OSError as exc:
            raise SaveError(f"could not write in {folder}: {exc.strerror or exc}; nothing was changed") from None
        os.close(fd)
        return Path(name)

    def _check_nothing_lost(self, written: Path) -> None:
        """Compare the packages: a kind of part the source had and the new file lacks."""
        if not self.in_place:
            return
        missing = _content_types(self.source) - _content_types(written)
        missing -= _REBUILT_BY_EXCEL
        if missing:
            raise WouldLoseError(
                f"rewriting {self.target.name} would lose parts of these kinds: {', '.join(sorted(missing))}; "
                f"nothing was changed: give --out NEW{self.target.suffix} to write a new file instead"
            )

    def _check_unchanged(self) -> None:
        for path, stamp in self._stamps.items():
            if Stamp.of(path) != stamp:
                raise StaleFileError(
                    f"{path.name} was changed by someone else while this command ran; nothing was changed: "
                    "run the command again to work on the new version"
                )

    def _backup(self, current: Path) -> Path:
        """Copy ``current`` into the backup folder through a temporary file and a rename."""
        folder = current.parent / BACKUP_FOLDER
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise SaveError(
                f"could not keep a backup of {current.name} in {folder}: {exc.strerror or exc}; nothing was changed"
            ) from None
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = folder / f"{current.stem}.{stamp}{current.suffix}"
        n = 1
        while backup.exists():
            n += 1
            backup = folder / f"{current.stem}.{stamp}-{n}{current.suffix}"
        fd, name = tempfile.mkstemp(prefix=f".{current.stem}.", suffix=current.suffix + ".tmp", dir=folder)
        os.close(fd)
        tmp = Path(name)
        try:
            _copy_file(current, tmp)
            os.replace(tmp, backup)
            _fsync_folder(folder)
        except OSError as exc:
            raise SaveError(
                f"could not keep a backup of {current.name} in {folder}: {exc.strerror or exc}; nothing was changed"
            ) from None
        finally:
            tmp.unlink(missing_ok=True)
        _prune(folder, current)
        return backup


#: Caches Excel rebuilds on its own when they are missing (openpyxl does not write them).
_REBUILT_BY_EXCEL = {"application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"}


def _sheet_names(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as package:
            return list(_sheet_parts(package))
    except (OSError, zipfile.BadZipFile, KeyError):
        return []


def backups_of(path: Path) -> list[Path]:
    """The kept versions of ``path``, oldest first."""
    folder = Path(path).parent / BACKUP_FOLDER
    if not folder.is_dir():
        return []
    pattern = re.compile(re.escape(f"{path.stem}.") + r"\d{8}-\d{6}(-\d+)?" + re.escape(path.suffix))
    return sorted((p for p in folder.iterdir() if pattern.fullmatch(p.name)), key=lambda p: p.stat().st_mtime_ns)


def _prune(folder: Path, current: Path) -> None:
    for old in backups_of(current)[:-KEEP_BACKUPS]:
        old.unlink(missing_ok=True)
