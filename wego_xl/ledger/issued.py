"""What the ledger keeps of what left the Secretariat: each invoice's and credit note's files as
issued (with their SHA-256, so a reprint is the same bytes), each reminder made (its level,
day and amount: the next reminder's level follows them), and each message sent by mail. All
insert-only, like the posted entries."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, select

from ..rules.reminders import Sent
from . import schema as t
from .store import Actor, cents, money, stamp, stored_day


@dataclass(frozen=True)
class IssuedFile:
    """A file of a document as issued."""

    name: str
    content: bytes
    sha256: str


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def issued_files(conn: Connection, kind: str, number: str) -> dict[str, IssuedFile]:
    """The files of document ``kind`` ``number`` as issued, per format ("docx", "pdf")."""
    d = t.issued_documents.c
    rows = conn.execute(select(d.format, d.name, d.content, d.sha256).where(d.kind == kind, d.number == number))
    return {fmt: IssuedFile(name, bytes(content), sha) for fmt, name, content, sha in rows}


def issued_in(conn: Connection, fmt: str) -> dict[tuple[str, str], IssuedFile]:
    """Every document's file of format ``fmt`` as issued, by (kind, number)."""
    d = t.issued_documents.c
    rows = conn.execute(select(d.kind, d.number, d.name, d.content, d.sha256).where(d.format == fmt))
    return {(kind, number): IssuedFile(name, bytes(content), sha) for kind, number, name, content, sha in rows}


def keep_issued(
    conn: Connection, kind: str, number: str, member_id: str, fmt: str, name: str, content: bytes, by: Actor
) -> IssuedFile:
    """Keep a document's file as issued (once per kind, number and format): the one kept before
    wins, and is returned."""
    held = issued_files(conn, kind, number).get(fmt)
    if held is not None:
        return held
    digest = sha256_of(content)
    conn.execute(t.issued_documents.insert().values(kind=kind, number=number, format=fmt, member_id=member_id,
                                                    name=name, sha256=digest, content=content, issued_at=stamp(),
                                                    issued_by=by.user[:200]))  # fmt: skip
    return IssuedFile(name, content, digest)


def reminders_sent(conn: Connection) -> dict[str, list[Sent]]:
    """Per member, the reminders made, in order."""
    r = t.reminders.c
    found: dict[str, list[Sent]] = {}
    for member, day, level, amount in conn.execute(
        select(r.member_id, r.date, r.level, r.amount_cents).order_by(r.date, r.id)
    ):
        found.setdefault(member, []).append(Sent(stored_day(day), int(level), money(amount)))
    return found


def log_reminder(
    conn: Connection, member_id: str, level: int, day: dt.date, amount: Decimal, invoices: list[str], document: str,
    by: Actor,
) -> None:  # fmt: skip
    conn.execute(t.reminders.insert().values(member_id=member_id, level=level, date=day, amount_cents=cents(amount),
                                             invoices=", ".join(invoices), document=document[:200], made_at=stamp(),
                                             made_by=by.user[:200]))  # fmt: skip


def mail_sent(conn: Connection, member_id: str, digest: str) -> str | None:
    """When the same message (the same attachments) was sent to the member, else None."""
    m = t.mail_log.c
    return conn.execute(select(m.sent_at).where(m.member_id == member_id, m.digest == digest,
                                                m.outcome == "sent").limit(1)).scalar()  # fmt: skip


def log_mail(
    conn: Connection, *, member_id: str, address: str, subject: str, message_id: str, attachments: list[IssuedFile],
    server: str, outcome: str, detail: str, by: Actor,
) -> None:  # fmt: skip
    conn.execute(t.mail_log.insert().values(
        member_id=member_id, address=address[:320], subject=subject, message_id=message_id[:200],
        attachments="\n".join(f"{a.name} {a.sha256}" for a in attachments), digest=attachments_digest(attachments),
        server=server[:200], outcome=outcome, detail=detail, sent_at=stamp(), sent_by=by.user[:200],
    ))  # fmt: skip


def attachments_digest(attachments: list[IssuedFile]) -> str:
    """What says two messages are the same: their attachments' contents, a PDF's without the
    moment it was made (LibreOffice writes its creation time, file id and checksum into each
    conversion: the same statement made again is the same message)."""
    return sha256_of("\n".join(sorted(sha256_of(_comparable(a)) for a in attachments)).encode())


_PDF_MOMENT = re.compile(rb"/(?:CreationDate|ModDate)\s*\([^)]*\)|/ID\s*\[[^\]]*\]|/DocChecksum\s*/[0-9A-Fa-f]+")


def _comparable(file: IssuedFile) -> bytes:
    return _PDF_MOMENT.sub(b"", file.content) if file.name.lower().endswith(".pdf") else file.content
