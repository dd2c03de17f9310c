"""The documents a member receives: an invoice for each invoice of the ledger, a statement of
account, a reminder for amounts past due and a credit note for each credit note (its context
in ``letters``), each in two languages (the first chosen with ``--lang``), from Word templates
with docxtpl. The layout is the template (shipped; copied by ``wego-xl init`` into
``templates/`` beside the roster, where the Secretariat may restyle it in Word); the words are
the catalogues'; the figures the ledger's, as issued (an invoice shows the basis frozen in the
ledger); the Secretariat's address and bank details the roster's Settings sheet's, never
code's. A document is a new file: one that exists is kept, unless asked to replace it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import FileError
from ..rules.ledger import ZERO, Invoice, Ledger, LedgerBook
from ..rules.reminders import Sent
from ..store.package import SHIPPED_TEMPLATES
from ..store.pdf import lacking_pdf as lacking_pdf  # the documents command and year-end convert through them
from ..store.pdf import to_pdf as to_pdf
from ..store.roster import Member, Roster
from ..store.templating import render as render  # the year-end letters and the tests fill templates through it
from .document_contents import REQUIRED_SETTINGS as REQUIRED_SETTINGS  # what each document shows, where it was
from .document_contents import (
    document_settings,
    invoice_context,
    reminder_context,
    statement_context,
    two_languages,
)
from .document_contents import statement_line_text as statement_line_text
from .settings import bank_settings

TEMPLATES = SHIPPED_TEMPLATES
KINDS = ("invoice", "statement", "reminder", "credit-note")
#: The kinds of document issued once: the first file made is kept (with the ledger) and printed again.
ISSUED_ONCE = ("invoice", "credit-note")
#: What each document shows, by the names it had here before :mod:`.document_contents` (callers outside
#: the app room import them from here: ``ledger/accounts.py`` names a member so).
#: A document to write: its kind, its number and what it shows.
Made = tuple[str, str, dict[str, Any]]


@dataclass(frozen=True)
class ReminderMade:
    """A reminder written (or, dry, to be written): for the ledger's log."""

    member_id: str
    level: int
    as_of: dt.date
    amount: Decimal
    invoices: list[str]
    file: Path
    why: str


@dataclass
class DocumentRun:
    """What ``write_documents`` did: files written, files kept, and members without one."""

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # existed already: never overwritten unless asked
    none_for: dict[str, str] = field(default_factory=dict)  # member -> why no document
    files: dict[str, list[Path]] = field(default_factory=dict)  # member id -> its documents, written or kept
    reminders: list[ReminderMade] = field(default_factory=list)  # written in this run (dry: to be)
    first_issue: dict[tuple[str, str], tuple[str, Path]] = field(default_factory=dict)  # (kind, number) -> member, file
    issued_once: dict[tuple[str, str], tuple[str, Path]] = field(default_factory=dict)  # all of them, new or not
    reprinted: list[Path] = field(default_factory=list)  # written from the files as issued
    unchanged: list[Path] = field(default_factory=list)  # there already, the same bytes as issued


def template_folder(roster: Roster, folder: Path | None = None) -> Path:
    """The templates to use: ``folder``, else ``templates/`` beside the roster (the
    Secretariat's restyled copies, from ``wego-xl init``), else the shipped ones."""
    if folder is not None:
        return Path(folder)
    beside = roster.path.parent / "templates"
    return beside if (beside / "invoice.docx").exists() else TEMPLATES


def template_for(folder: Path, kind: str, shipped_fallback: bool) -> Path:
    """The Word template of ``kind`` in ``folder``; with ``shipped_fallback``, the shipped one
    when the folder lacks it (``templates/`` copied before that kind of document existed)."""
    template = folder / f"{kind}.docx"
    return TEMPLATES / f"{kind}.docx" if shipped_fallback and not template.exists() else template


def _slug(text: str, most: int = 40) -> str:
    """``text`` in letters, digits and hyphens only (any mail system and file system keeps
    them): never a path separator, a dot-dot or a drive."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")[:most]


def file_name(number: str, member: Member, kind: str) -> str:
    """ "WEGO-2017-001_Seoul_invoice.docx": the invoice number, the member (English, in
    letters any mail system keeps) and the kind; made safe whatever the ledger holds."""
    slug = _slug(member.name_en or member.member_id) or _slug(member.member_id) or "member"
    return f"{_slug(number) or 'invoice'}_{slug}_{kind}.docx"


def inside(out: Path, name: str) -> Path:
    """``out / name``, refused unless it stays inside ``out``."""
    target = (out / name).resolve()
    if target.parent != out.resolve():
        raise FileError(f"the document name {name!r} would be written outside {out}: nothing was written there")
    return target


def write_documents(
    roster: Roster,
    book: LedgerBook,
    fee_year: int,
    kinds: Iterable[str],
    out: Path,
    *,
    language: str,
    as_of: dt.date,
    templates: Path | None = None,
    replace: bool = False,
    written: dt.date | None = None,
    members: Iterable[str] = (),
    as_issued: Mapping[tuple[str, str], bytes] | None = None,
    sent: Mapping[str, list[Sent]] | None = None,
    dry_run: bool = False,
) -> DocumentRun:
    """Write each kind of document for every member invoiced for ``fee_year``: one file per
    member (per invoice), named by invoice number and member, into ``out``; ``members``
    (names or ids) limits them to those members.

    An invoice shows itself as issued (its own day: later credits and payments are for the
    statement and the credit notes); an invoice or credit note in ``as_issued`` ((kind, number)
    -> the Word file as first made) is written from those bytes, never made again. A reminder's
    level follows the reminders ``sent`` to the member (the ledger's log). ``dry_run``: the
    same decisions, nothing written."""
    languages = two_languages(language)
    folder = template_folder(roster, templates)
    settings = document_settings(roster)  # a blank bank detail stops before any file is written
    kinds = tuple(kinds)
    threshold = bank_settings(roster.settings).reminder_threshold if "reminder" in kinds else ZERO
    if not dry_run:
        make_folder(out)
    issued = _invoices_of(roster, book, fee_year, as_of, members)
    writing = _Writing(
        book, book.replay(as_of), out, languages, settings, as_of, written or dt.date.today(),
        start=dt.date(min(fee_year, as_of.year), 1, 1),  # the statement: from the fee year's first day at the latest
        folder=folder, shipped_fallback=templates is None, replace=replace, dry_run=dry_run,
        as_issued=as_issued or {}, sent=sent or {}, threshold=threshold,
    )  # fmt: skip
    for invoice in sorted(issued, key=lambda i: i.number):
        member = roster.member(invoice.member_id)
        for kind, number, context in writing.documents_for(invoice, member, kinds):
            writing.write(member, kind, number, context)
    return writing.run


def make_folder(out: Path) -> None:
    """Create the folder documents are written into (and its parents), or say why not."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(f"could not create the folder {out}: {exc.strerror or exc}") from None


def _invoices_of(
    roster: Roster, book: LedgerBook, fee_year: int, as_of: dt.date, members: Iterable[str]
) -> list[Invoice]:
    """The ledger's invoices of ``fee_year`` issued by ``as_of``, of the ``members`` asked for
    (names or ids; none: every member), or an error when there is none."""
    wanted = {roster.member(name).member_id for name in members}  # an id or a name
    issued = [i for i in book.invoices if i.fee_year == fee_year and i.issue_date <= as_of
              and (not wanted or i.member_id in wanted)]  # fmt: skip
    if not issued:
        whose = " of the members asked for" if wanted else ""
        raise FileError(
            f"the ledger {book.location} has no invoice{whose} for fee year {fee_year} issued by {as_of}: "
            "run wego-xl invoice first"
        )
    return issued


@dataclass
class _Writing:
    """One run of :func:`write_documents`: what it was asked, and what it has done so far."""

    book: LedgerBook
    ledger: Ledger  # the book on ``as_of``
    out: Path
    languages: tuple[str, str]
    settings: dict[str, str]
    as_of: dt.date
    written: dt.date
    start: dt.date  # the statement's first day
    folder: Path
    shipped_fallback: bool  # a kind the folder lacks comes from the shipped templates
    replace: bool
    dry_run: bool
    as_issued: Mapping[tuple[str, str], bytes]
    sent: Mapping[str, list[Sent]]
    threshold: Decimal  # no reminder for less past due
    run: DocumentRun = field(default_factory=DocumentRun)

    def documents_for(self, invoice: Invoice, member: Member, kinds: tuple[str, ...]) -> list[Made]:
        """(kind, number, context) of each document to write for ``invoice``; the members
        without one are noted, with why."""
        from .letters import CREDIT_NOTE, credit_note_contexts  # which imports this module's helpers

        made: list[Made] = []
        if CREDIT_NOTE in kinds:  # also for an invoice credited in full: the member learns of it so
            made += [(CREDIT_NOTE, n, c) for n, c in credit_note_contexts(self.book, invoice, member, self.settings,
                                                                          self.languages, self.as_of, self.written)]  # fmt: skip
        others = [kind for kind in kinds if kind != CREDIT_NOTE]
        if self.ledger.invoices[invoice.number].net <= ZERO and others:  # only an invoice issued before stays
            kept = [k for k in others if (k, invoice.number) in self.as_issued]
            if len(kept) < len(others):
                self.none_for(member, invoice, "credited in full")
            others = kept
        for kind in others:
            context = self.context(kind, invoice, member)
            if context is not None:
                made.append((kind, self.number(kind, invoice), context))
        return made

    def number(self, kind: str, invoice: Invoice) -> str:
        """A document's number: the invoice's; a reminder's adds its day (the earlier ones stay)."""
        return f"{invoice.number}-{self.as_of:%Y%m%d}" if kind == "reminder" else invoice.number

    def none_for(self, member: Member, invoice: Invoice, why: str) -> None:
        """Note why the member gets no document for ``invoice``."""
        self.run.none_for[f"{member.display_name} ({invoice.number})"] = why

    def context(self, kind: str, invoice: Invoice, member: Member) -> dict[str, Any] | None:
        """What an invoice (as issued: on its own day), a statement or a reminder shows."""
        if kind == "invoice":
            return invoice_context(self.book, invoice, member, self.settings, self.languages, invoice.issue_date,
                                   self.written)  # fmt: skip
        if kind == "statement":
            return statement_context(self.book, member, self.settings, self.start, self.as_of, self.languages,
                                     self.written)  # fmt: skip
        return self.reminder(invoice, member)

    def reminder(self, invoice: Invoice, member: Member) -> dict[str, Any] | None:
        """A reminder's context, or None (noted, with why) when none is due: nothing past due,
        too soon after the last one, or less past due than the Settings' threshold."""
        context = reminder_context(self.book, member, self.settings, self.as_of, self.languages, self.written,
                                   self.sent.get(member.member_id, []))  # fmt: skip
        if context is None:
            self.none_for(member, invoice, "nothing past due")
            return None
        name = file_name(self.number("reminder", invoice), member, "reminder")
        made_before = not self.replace and inside(self.out, name).exists()
        if context["next"].level is None and not made_before:  # (one made before is listed as kept)
            self.none_for(member, invoice, context["next"].why)
            return None
        if context["total_amount"] < self.threshold:
            why = f"{context['total']} USD past due, under the Settings' reminder threshold ({self.threshold:,.2f})"
            self.none_for(member, invoice, why)
            return None
        return context

    def write(self, member: Member, kind: str, number: str, context: dict[str, Any]) -> None:
        """Write one document (or, dry, note it): kept when it exists and is not issued once,
        printed again from the bytes as issued, else made from its template."""
        run = self.run
        target = inside(self.out, file_name(number, member, kind))
        run.files.setdefault(member.member_id, []).append(target)
        if kind in ISSUED_ONCE:
            run.issued_once[(kind, number)] = (member.member_id, target)
        if target.exists() and not self.replace and kind not in ISSUED_ONCE:
            run.kept.append(target)
            return
        if kind == "reminder":
            ladder = context["next"]
            run.reminders.append(ReminderMade(member.member_id, ladder.level, self.as_of, context["total_amount"],
                                              context["late_invoices"], target, ladder.why))  # fmt: skip
        if self.dry_run:
            return
        if (kind, number) in self.as_issued:  # printed again: the same bytes as first issued
            self.reprint(target, self.as_issued[(kind, number)])
            return
        template = template_for(self.folder, kind, self.shipped_fallback)
        run.written.append(render(template, context, target))
        if kind in ISSUED_ONCE:
            run.first_issue[(kind, number)] = (member.member_id, target)

    def reprint(self, target: Path, first: bytes) -> None:
        """Write a document from the bytes first issued, unless ``target`` holds them already."""
        if target.exists() and target.read_bytes() == first:
            self.run.unchanged.append(target)
            return
        temporary = target.with_suffix(".docx.tmp")
        temporary.write_bytes(first)
        self.run.reprinted.append(temporary.replace(target))
