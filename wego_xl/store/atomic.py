"""Writing a file whole or not at all: a temporary file beside it, flushed to disk, then
renamed over it; a failed write said in one line, with nothing it left open; and the stamp
(size, time, SHA-256) that tells one version of a file from another."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import inspect
import os
import re
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SaveError
from .locks import check_writable

_CHUNK = 1 << 20


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


def _mode_for(path: Path) -> int:
    """The permissions the saved file should have: the old file's, else those a new file gets
    in its folder, seen on a file made there for a moment (reading the umask would mean
    setting it, for every thread of the process, meanwhile)."""
    if path.exists():
        return path.stat().st_mode & 0o777
    probe = path.with_name(f".{path.stem}.{secrets.token_hex(6)}{path.suffix}.tmp")  # a name leftovers cover
    fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    try:
        return os.fstat(fd).st_mode & 0o777
    finally:
        os.close(fd)
        probe.unlink(missing_ok=True)


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

    A write cut short (a full disk, a file-size limit) leaves the writer's files open in the
    frames it failed in; they are closed at once (:func:`_close_what_failed`), so that nothing
    complains later when Python collects them, and the failure is reported in one line."""
    failure = None
    try:
        wb.save(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
    except OSError as exc:
        _close_what_failed(exc)
        failure = f"could not write {target}: {exc.strerror or exc}; nothing was changed"
    except Exception as exc:  # openpyxl writes through lxml when it is installed: its I/O errors
        _close_what_failed(exc)
        if type(exc).__name__ != "SerialisationError":  # (IO_EFBIG, ENOSPC) are not OSErrors
            raise
        code = str(exc).removeprefix("IO_")  # lxml names the errno: "IO_EFBIG", "IO_ENOSPC"
        said = os.strerror(getattr(errno, code)) if hasattr(errno, code) else str(exc)
        failure = f"could not write {target}: {said}; nothing was changed"
    if failure:
        raise SaveError(failure)


def _close_what_failed(failure: BaseException) -> None:
    """Close what a failed save left open in the frames it failed in (their locals and those
    locals' attributes): the package being written (a zip file: openpyxl's, python-docx's)
    and any generator still suspended (openpyxl's stream of a worksheet's XML). Each close
    fails as the write did, and is let go: the failure is said once, by the caller."""
    frame = failure.__traceback__.tb_next if failure.__traceback__ else None  # below the caller's own frame
    while frame is not None:
        for value in list(frame.tb_frame.f_locals.values()):
            held = getattr(value, "__dict__", None)
            for thing in [value, *(held.values() if isinstance(held, dict) else ())]:
                if inspect.isgenerator(thing) or (isinstance(thing, zipfile.ZipFile) and thing.mode != "r"):
                    with contextlib.suppress(Exception):
                        thing.close()
        frame = frame.tb_next


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
