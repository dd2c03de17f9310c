"""Sending the e-mail drafts the documents command wrote, through the mail (SMTP) server the
Settings sheet names, each logged per member in the ledger: a message is sent once (the same
attachments to the same member again are skipped, naming when they went), also when two
people send at once (each message is checked, sent and logged inside the ledger's write lock).
A dry run says what would be sent and sends nothing."""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, make_msgid
from pathlib import Path

from sqlalchemy import Connection

from ..app.letters import MEMBER_HEADER
from ..errors import InputError
from ..store.roster import Roster
from .issued import IssuedFile, attachments_digest, log_mail, mail_sent, sha256_of
from .store import Actor, LedgerStore

PASSWORD_ENV = "WEGO_MAIL_PASSWORD"
SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class MailServer:
    """Where mail goes: the Settings' "Mail server" (host:port), "Mail security" and "Mail
    user"; the password only from the environment, never from a workbook."""

    host: str
    port: int
    security: str
    user: str
    password: str

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass
class Sending:
    """What a send did (or, dry, would do), per member."""

    sent: list[tuple[str, str, Path]] = field(default_factory=list)  # member, address, draft
    skipped: list[tuple[str, str]] = field(default_factory=list)  # member, why
    refused: list[tuple[str, str]] = field(default_factory=list)  # member, the server's answer


def mail_server(roster: Roster) -> MailServer:
    """The mail server the Settings sheet names, read for sure, else one line saying which row."""
    settings = {name: s.value for name, s in roster.settings.items()}
    where = f"{roster.path.name if roster.path else 'the roster'}, sheet Settings"
    server = str(settings.get("Mail server") or "").strip()
    if not server:
        raise InputError(f"{where}: 'Mail server' is blank: type the mail server as host:port "
                         "(e.g. smtp.example.org:587) to send; the drafts can be sent by hand meanwhile")  # fmt: skip
    host, _, port_text = server.rpartition(":") if ":" in server else (server, "", "")
    security = str(settings.get("Mail security") or "starttls").strip().casefold()
    if security not in SECURITY:
        raise InputError(f"{where}: 'Mail security' is {security!r}: type starttls, ssl or none")
    default = {"starttls": 587, "ssl": 465, "none": 25}[security]
    if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
        raise InputError(f"{where}: 'Mail server' {server!r} has no port from 1 to 65535 after its colon")
    user = str(settings.get("Mail user") or "").strip()
    password = os.environ.get(PASSWORD_ENV, "")
    if user and not password:
        raise InputError(f"the mail server's user {user!r} needs its password in the {PASSWORD_ENV} environment "
                         "variable (a password is never kept in a workbook)")  # fmt: skip
    return MailServer(host or server, int(port_text) if port_text else default, security, user, password)


def read_draft(path: Path) -> tuple[EmailMessage, str, list[IssuedFile]]:
    """A draft as written: the message, its member and its attachments."""
    with open(path, "rb") as f:
        message = BytesParser(policy=policy.default).parse(f)
    assert isinstance(message, EmailMessage)
    member = str(message.get(MEMBER_HEADER) or "").strip()
    if not member or not message.get("To"):
        raise InputError(f"{path.name} is not a draft the documents command wrote (no {MEMBER_HEADER} or To): "
                         "write the drafts again with --email-drafts")  # fmt: skip
    files = []
    for part in message.iter_attachments():
        content = part.get_content()
        data = content if isinstance(content, bytes) else str(content).encode()
        files.append(IssuedFile(str(part.get_filename() or ""), data, sha256_of(data)))
    return message, member, files


def send_drafts(store: LedgerStore, roster: Roster, drafts: list[Path], *, dry_run: bool, by: Actor) -> Sending:
    """Send each draft once, logging it; a refusal by the server is logged and the rest go on;
    a server that cannot be reached stops the run in one line (what went is logged)."""
    server = mail_server(roster)
    found = Sending()
    read = [(path, *read_draft(path)) for path in sorted(drafts)]
    if dry_run:
        with store.reading() as conn:
            for path, message, member, files in read:
                if not _sent_before(conn, found, member, files, path):
                    found.sent.append((member, str(message["To"]), path))
        return found
    if not read:
        return found
    with _connected(server) as smtp:
        for path, message, member, files in read:
            with store.writing() as conn:
                if _sent_before(conn, found, member, files, path):
                    continue
                if not message.get("Message-ID"):
                    message["Message-ID"] = make_msgid(
                        domain=str(message["From"]).rpartition("@")[2].strip("> ") or None
                    )
                if not message.get("Date"):
                    message["Date"] = formatdate(localtime=True)
                outcome, detail = "sent", ""
                try:
                    refused = smtp.send_message(message)
                    if refused:  # taken for the other addresses: sent, and never sent again
                        detail = "refused for " + "; ".join(
                            f"{a}: {code} {why.decode(errors='replace') if isinstance(why, bytes) else why}"
                            for a, (code, why) in refused.items()
                        )
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                    outcome, detail = "refused", " ".join(str(exc).split())[:500]
                except (OSError, smtplib.SMTPException) as exc:  # the server went away: this one was not sent
                    raise InputError(f"the mail server {server} stopped answering ({' '.join(str(exc).split())}) "
                                     f"before {path.name} was sent: {len(found.sent)} sent before it (logged); "
                                     "send again for the rest") from None  # fmt: skip
                log_mail(conn, member_id=member, address=str(message["To"]), subject=str(message["Subject"] or ""),
                         message_id=str(message["Message-ID"]), attachments=files, server=str(server),
                         outcome=outcome, detail=detail, by=by)  # fmt: skip
            if outcome == "sent":
                found.sent.append((member, str(message["To"]), path))
            if detail:
                found.refused.append((member, detail))
    return found


def _sent_before(conn: Connection, found: Sending, member: str, files: list[IssuedFile], path: Path) -> bool:
    """Whether the same message went to the member already (then listed as skipped, with when)."""
    when = mail_sent(conn, member, attachments_digest(files))
    if when:
        found.skipped.append((member, f"sent on {when[:10]} already ({path.name})"))
    return bool(when)


class _connected:
    """An SMTP session with the server, signed in if it has a user; one line if it cannot be had."""

    def __init__(self, server: MailServer) -> None:
        self.server = server
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> smtplib.SMTP:
        s = self.server
        try:
            if s.security == "ssl":
                self.smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=30, context=ssl.create_default_context())
            else:
                self.smtp = smtplib.SMTP(s.host, s.port, timeout=30)
                if s.security == "starttls":
                    self.smtp.starttls(context=ssl.create_default_context())
            if s.user:
                self.smtp.login(s.user, s.password)
        except (OSError, smtplib.SMTPException) as exc:
            raise InputError(f"the mail server {s} cannot be used ({' '.join(str(exc).split())}): nothing was sent; "
                             "check the Settings' Mail server and Mail security") from None  # fmt: skip
        return self.smtp

    def __exit__(self, *exc: object) -> None:
        if self.smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):  # the server went away at the end
                self.smtp.quit()
