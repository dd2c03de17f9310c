"""Who else has a workbook file: Excel's owner file and LibreOffice's lock file beside it,
a file marked read-only, and the toolkit's own lock (``.NAME.xlsx.wego-lock``, the
``filelock`` package), with who holds it, for the one write path (:mod:`.saving`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import math
import os
import socket
from pathlib import Path
from typing import Any

from ..errors import FileError, SaveError, WorkbookBusyError

LOCK_TIMEOUT_ENV = "WEGO_LOCK_TIMEOUT"
#: The longest wait for a lock that ``WEGO_LOCK_TIMEOUT`` may ask for (a day).
MAX_LOCK_TIMEOUT = 86_400
DEFAULT_LOCK_TIMEOUT = 60.0


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


def take_lock(target: Path) -> Any:
    """The toolkit's lock on ``target``, held (``release()`` it): a second writer waits up to
    ``WEGO_LOCK_TIMEOUT`` seconds, then is refused naming who holds it."""
    from filelock import FileLock, Timeout

    timeout = _lock_timeout()
    lock = FileLock(str(lock_path(target)), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise WorkbookBusyError(
            f"{target.name} is being changed by {_holder(target)}; nothing was changed: "
            f"wait for it to finish (waited {timeout:g} s), then run this again"
        ) from None
    except OSError as exc:
        raise SaveError(
            f"could not lock {target.name} in {target.parent}: {exc.strerror or exc}; nothing was changed"
        ) from None
    return lock


def record_holder(target: Path, command: str) -> None:
    """Write who holds the lock on ``target`` (command, user, machine, process, since when)
    beside it, for the message a second writer gets."""
    try:
        user = getpass.getuser()
    except Exception:  # pragma: no cover - no user name known
        user = "unknown user"
    info = {
        "command": command,
        "user": user,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "since": dt.datetime.now().isoformat(timespec="seconds"),
    }
    with contextlib.suppress(OSError):  # without it, the message names no holder
        _holder_path(target).write_text(json.dumps(info), encoding="utf-8")


def release_holder(target: Path) -> None:
    """Remove the record of who holds the lock on ``target``."""
    _holder_path(target).unlink(missing_ok=True)
