"""A documents run as ``wego-xl documents`` asks for it: the documents of a fee year written
(see :func:`.issuing.issue_documents`), and with sending, each member's e-mail draft sent
through the Settings' Mail server, which is checked before any file is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..app.documents import KINDS
from ..store.roster import Roster
from .issuing import DocumentsMade, issue_documents
from .outgoing import Sending, mail_server, send_drafts
from .store import Actor, LedgerStore


@dataclass
class DocumentsSent:
    """What the run made, the e-mail drafts it leaves to send (for a dry run that sends: those
    an earlier run wrote), and what sending them did (None: not sent)."""

    made: DocumentsMade
    drafted: list[Path] = field(default_factory=list)
    sending: Sending | None = None


def write_and_send(
    store: LedgerStore, roster: Roster, fee_year: int, out: Path, *, language: str, as_of: dt.date, by: Actor,
    kinds: Iterable[str] = (), send_by: Actor | None = None, templates: Path | None = None, replace: bool = False,
    members: Iterable[str] = (), pdf: bool = False, email_drafts: bool = False, dry_run: bool = False,
) -> DocumentsSent:  # fmt: skip
    """Write the documents of ``fee_year`` of ``kinds`` (none named: every kind); with
    ``send_by``, also the e-mail drafts, sent by that actor (a message sent before is not sent
    again; a dry run says what would go)."""
    send = send_by is not None
    if send:
        mail_server(roster)  # a Settings row that cannot be used stops before any file is written
    made = issue_documents(store, roster, fee_year, tuple(kinds) or KINDS, out, language=language, as_of=as_of, by=by,
                           templates=templates, replace=replace, members=members, pdf=pdf,
                           email_drafts=email_drafts or send, dry_run=dry_run)  # fmt: skip
    drafts = made.drafts
    drafted = (drafts.written + drafts.kept) if drafts else []
    if dry_run and send:  # what would go: the drafts an earlier run wrote
        drafted = sorted(out.glob("*.eml")) if out.is_dir() else []
    sending = send_drafts(store, roster, drafted, dry_run=dry_run, by=send_by) if send_by is not None else None
    return DocumentsSent(made, drafted, sending)
