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

Its parts: :mod:`.locks` (who else has the file), :mod:`.kept_parts` (what openpyxl would
drop), :mod:`.atomic` (a file written whole or not at all); the backups are kept here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from ..errors import FileError, SaveError, StaleFileError, WouldLoseError
from .atomic import Stamp as Stamp
from .atomic import _copy_file as _copy_file
from .atomic import _fsync_folder, _mode_for, _quietly_save
from .atomic import save_new as save_new
from .atomic import temp_pattern as temp_pattern
from .kept_parts import _sheet_names, kinds_lost
from .kept_parts import _sheet_parts as _sheet_parts
from .kept_parts import parts_openpyxl_drops as parts_openpyxl_drops
from .locks import DEFAULT_LOCK_TIMEOUT as DEFAULT_LOCK_TIMEOUT
from .locks import LOCK_TIMEOUT_ENV as LOCK_TIMEOUT_ENV
from .locks import MAX_LOCK_TIMEOUT as MAX_LOCK_TIMEOUT
from .locks import check_not_open as check_not_open
from .locks import check_writable as check_writable
from .locks import is_read_only as is_read_only
from .locks import libreoffice_lock_file as libreoffice_lock_file
from .locks import lock_path as lock_path
from .locks import owner_file as owner_file
from .locks import record_holder, release_holder, take_lock
from .package import refuse_packaged
from .xlsx import open_workbook

#: How many previous versions of a workbook are kept in its backup folder.
KEEP_BACKUPS = 5
BACKUP_FOLDER = ".wego-backups"


@dataclass
class SaveResult:
    """What a save did (or, for a dry run, would do)."""

    target: Path
    written: bool
    backup: Path | None = None
    replaced_sheets: list[str] = field(default_factory=list)
    added_sheets: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


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
        self._lock = take_lock(self.target)
        self._locked_at = time.time()
        try:
            self._refuse_losses()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        record_holder(self.target, self.command)
        self._remove_leftovers()
        for path in {self.source, self.target}:
            self._stamps[path] = Stamp.of(path)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        release_holder(self.target)
        if self._lock is not None:
            self._lock.release()
            self._lock = None

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
        missing = kinds_lost(self.source, written)
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
