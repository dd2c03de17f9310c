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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import FileError, RosterError
from ..messages import LANGUAGES, band_label, catalogue, say
from ..rules.ledger import ZERO, Invoice, InvoiceState, LedgerBook, StatementLine, credit_effective
from ..rules.reminders import NextReminder, Sent, next_reminder
from ..store.package import SHIPPED_TEMPLATES
from ..store.pdf import lacking_pdf as lacking_pdf  # the documents command and year-end convert through them
from ..store.pdf import to_pdf as to_pdf
from ..store.roster import SETTINGS_SHEET, Member, Roster
from ..store.templating import render as render  # the year-end letters and the tests fill templates through it
from .settings import bank_settings

TEMPLATES = SHIPPED_TEMPLATES
KINDS = ("invoice", "statement", "reminder", "credit-note")
#: Settings every document prints: a blank one stops the documents, naming its row.
REQUIRED_SETTINGS = (
    "Secretariat name (English)", "Secretariat name (Korean)", "Address (English)", "Address (Korean)",
    "Bank name", "Account name", "Account number", "SWIFT/BIC",
)  # fmt: skip
#: The kinds of document issued once: the first file made is kept (with the ledger) and printed again.
ISSUED_ONCE = ("invoice", "credit-note")


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


def _when(day: dt.date, language: str) -> str:
    return say("date.format", language, day=day.day, month_name=say(f"date.month_{day.month}", language), year=day.year)


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _both(languages: tuple[str, str], key: str, **fields: Any) -> list[str]:
    return [say(f"document.{key}", lang, **fields) for lang in languages]


def _settings(roster: Roster) -> dict[str, str]:
    """The Settings sheet's values, or an error naming the first blank one that is needed."""
    if not roster.settings:
        raise RosterError(
            f"the roster has no {SETTINGS_SHEET!r} sheet with the Secretariat's address and bank details",
            path=str(roster.path),
            fix='add it with wego-xl settings "Bank name" "..." (and the other bank details), or type them in Excel',
        )
    for name in REQUIRED_SETTINGS:
        found = roster.settings.get(name)
        if found is None or not found.value:
            raise RosterError(
                f"{name!r} is blank; documents print it",
                path=str(roster.path),
                sheet=SETTINGS_SHEET,
                row=found.row if found else None,
                column="Value",
                fix=f'type it on the Settings sheet, or: wego-xl settings "{name}" "...", then run wego-xl documents again',
            )
    return {name: s.value for name, s in roster.settings.items()}


def _member_names(member: Member, languages: tuple[str, str], english: str = "", korean: str = "") -> list[str]:
    """The member's name as each language reads it, the other name beside it."""
    en, ko = english or member.name_en or member.display_name, korean or member.name_ko
    shown = {"en": f"{en} ({ko})" if ko else en, "ko": f"{ko} ({en})" if ko else en}
    return [shown[lang] for lang in languages]


def _common(settings: dict[str, str], languages: tuple[str, str], dated: dt.date, written: dt.date) -> dict[str, Any]:
    """What every document shows: the Secretariat, its bank, the labels, the letter's date
    (``dated``) and the day it was written."""
    order = {"en": "English", "ko": "Korean"}
    email = settings.get("Email", "")
    labels = {
        key.split(".", 1)[1]: [say(key, lang) for lang in languages]
        for key in _label_keys()
    }  # fmt: skip
    labels["contact"] = _both(languages, "contact", email=email) if email else ["", ""]
    labels["written"] = [say("document.written", lang, day=_when(written, lang)) for lang in languages]
    return {
        "org": {
            "name": [settings[f"Secretariat name ({order[lang]})"] for lang in languages],
            "address": [settings[f"Address ({order[lang]})"] for lang in languages],
            "organisation": settings.get("Organisation", ""),
            "email": email,
            "signed_by": settings.get("Signed by", ""),
        },
        "bank": {
            "name": settings["Bank name"],
            "address": settings.get("Bank address", ""),
            "account_name": settings["Account name"],
            "account_number": settings["Account number"],
            "swift": settings["SWIFT/BIC"],
        },
        "today": [_when(dated, lang) for lang in languages],
        "L": labels,
    }


def _label_keys() -> list[str]:
    return [key for key, text in catalogue("en").items() if key.startswith("document.") and "{" not in text]


def invoice_context(book: LedgerBook, invoice: Invoice, member: Member, settings: dict[str, str],
                    languages: tuple[str, str], as_of: dt.date, written: dt.date) -> dict[str, Any]:  # fmt: skip
    """What an invoice document shows: the invoice and its basis as issued (frozen in the
    ledger), each credit note on it by ``as_of`` and what is left to pay, the member, the
    Secretariat and its bank."""
    row: dict[str, Any] = book.invoice_basis.get(invoice.number, {})
    context = _common(settings, languages, invoice.issue_date, written)
    population_note = ", ".join(str(v) for v in (row.get("Population year"), row.get("Population source")) if v)
    net = book.replay(as_of).invoices[invoice.number].net  # what to pay: the invoice less its credit notes
    items = [{"text": _both(languages, "annual_fee", year=invoice.fee_year), "amount": _money(invoice.amount)}]
    for note in book.credits:
        if note.invoice == invoice.number and credit_effective(note, invoice.issue_date) <= as_of:
            text = _both(languages, "line_credit", number=note.number, invoice=invoice.number)
            items.append({"text": [f"{t}: {note.reason}" if note.reason else t for t in text],
                          "amount": _money(-note.amount)})  # fmt: skip
    context["L"]["basis"] = [
        say("document.basis", lang, population=float(row["Population"]), population_note=population_note,
            population_band=band_label(row.get("Population band"), lang), gdp=float(row["GDP per capita (PPP, USD)"]),
            gdp_year=row.get("GDP year"), edition=row.get("WEO edition"), gdp_band=row.get("GDP band"),
            table=row.get("Fee table"))
        for lang in languages
    ]  # fmt: skip
    context["L"]["pay_by"] = [
        say("document.pay_by", lang, amount=_money(net), due=_when(invoice.due_date, lang), number=invoice.number)
        for lang in languages
    ]
    context.update(
        invoice={
            "number": invoice.number,
            "issued": [_when(invoice.issue_date, lang) for lang in languages],
            "due": [_when(invoice.due_date, lang) for lang in languages],
            "fee_year": invoice.fee_year,
            "amount": _money(net),
        },
        member={
            "id": member.member_id,
            "name": _member_names(
                member, languages, str(row.get("English name") or ""), str(row.get("Korean name") or "")
            ),
            "country": member.country,
        },
        items=items,
    )
    return context


def _open_rows(states: Iterable[InvoiceState], as_of: dt.date, languages: tuple[str, str]) -> list[dict[str, Any]]:
    rows = []
    for s in states:
        days = (as_of - s.invoice.due_date).days
        rows.append({
            "number": s.invoice.number,
            "fee_year": s.invoice.fee_year,
            "due": _when(s.invoice.due_date, languages[0]),
            "days": str(days) if days > 0 else say("document.not_yet_due", languages[0]),
            "amount": _money(s.open),
        })  # fmt: skip
    return rows


def statement_line_text(
    line: StatementLine, lang: str, when: Callable[[dt.date, str], str] = lambda day, _: day.isoformat()
) -> str:
    """What a statement line says in ``lang``: the invoice with its fee year and due date (as
    ``when`` writes a date), the credit note or void with its reason, the payment's receipt.
    The statement command and the statement document both say it this way."""
    record: Any = line.record
    if line.kind == "invoice":
        return say("document.line_invoice", lang, number=record.number, year=record.fee_year,
                   due=when(record.due_date, lang))  # fmt: skip
    if line.kind == "credit":
        text = say("document.line_credit", lang, number=record.number, invoice=record.invoice)
        return f"{text}: {record.reason}" if record.reason else text
    if line.kind == "void":
        return say("document.line_void", lang, number=record.number, receipt=record.receipt) + f": {record.reason}"
    if line.kind == "write-off":
        return say("document.line_write_off", lang, number=record.number, invoice=record.invoice,
                   decision=record.decision) + f": {record.reason}"  # fmt: skip
    return say("document.line_payment", lang, receipt=record.receipt)


def statement_context(book: LedgerBook, member: Member, settings: dict[str, str], start: dt.date, end: dt.date,
                      languages: tuple[str, str], written: dt.date) -> dict[str, Any]:  # fmt: skip
    """What a statement shows: opening balance, every invoice, credit note and payment from
    ``start`` to ``end`` with the running balance, the closing balance, the open invoices."""
    account = book.statement(member.member_id, start, end)
    context = _common(settings, languages, end, written)
    lines = [{"date": _when(start, languages[0]), "text": _both(languages, "opening"), "charge": "", "payment": "",
              "balance": _money(account.opening)}]  # fmt: skip
    for line in account.lines:
        text = [statement_line_text(line, lang, _when) for lang in languages]
        lines.append({
            "date": _when(line.date, languages[0]),
            "text": text,
            "charge": _money(line.amount) if line.amount > ZERO else "",
            "payment": _money(-line.amount) if line.amount < ZERO else "",
            "balance": _money(line.balance),
        })  # fmt: skip
    lines.append({"date": _when(end, languages[0]), "text": _both(languages, "closing"), "charge": "", "payment": "",
                  "balance": _money(account.closing)})  # fmt: skip
    if account.closing > ZERO:
        closing = _both(languages, "closing_owed", amount=_money(account.closing))
    elif account.closing < ZERO:
        closing = _both(languages, "closing_credit", amount=_money(-account.closing))
    else:
        closing = _both(languages, "closing_zero")
    context["L"]["closing_line"] = closing
    context["L"]["period"] = [say("document.period", lang, start=_when(start, lang), end=_when(end, lang))
                              for lang in languages]  # fmt: skip
    context.update(
        member={"id": member.member_id, "name": _member_names(member, languages), "country": member.country},
        lines=lines,
        open=_open_rows(account.open_invoices, end, languages),
        closing=_money(account.closing),
    )
    return context


def reminder_context(book: LedgerBook, member: Member, settings: dict[str, str], as_of: dt.date,
                     languages: tuple[str, str], written: dt.date, sent: Iterable[Sent] = ()) -> dict[str, Any] | None:  # fmt: skip
    """A reminder for the member's amounts past due on ``as_of`` (None when nothing is),
    worded by its level on the ladder (the reminders ``sent`` before and how late the oldest
    amount is); ``context["next"]`` says which and why (its level None: no reminder now)."""
    ledger = book.replay(as_of)
    late = [s for s in ledger.open_invoices(member.member_id) if s.invoice.due_date < as_of and s.open > ZERO]
    if not late:
        return None
    oldest = min(s.invoice.due_date for s in late)
    days = (as_of - oldest).days
    ladder: NextReminder = next_reminder(oldest, as_of, sent)
    step = ladder.level or 1
    context = _common(settings, languages, as_of, written)
    labels = context["L"]
    labels["subject"] = _both(languages, f"reminder_subject_{step}")
    names = _member_names(member, languages)
    labels["dear"] = [say("document.dear", lang, member=name) for lang, name in zip(languages, names)]
    labels["body"] = [say(f"document.reminder_{step}", lang, due=_when(oldest, lang), days=days) for lang in languages]
    total = sum((s.open for s in late), ZERO)
    labels["total_past_due"] = _both(languages, "total_past_due", amount=_money(total))
    context.update(
        member={"id": member.member_id, "name": names, "country": member.country},
        open=_open_rows(late, as_of, languages),
        step=step,
        total=_money(total),
        total_amount=total,
        next=ladder,
        late_invoices=[s.invoice.number for s in late],
    )
    return context


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
    languages = (language, next(lang for lang in LANGUAGES if lang != language))
    folder = template_folder(roster, templates)
    settings = _settings(roster)  # a blank bank detail stops before any file is written
    kinds = tuple(kinds)
    threshold = bank_settings(roster.settings).reminder_threshold if "reminder" in kinds else ZERO
    try:
        if not dry_run:
            out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(f"could not create the folder {out}: {exc.strerror or exc}") from None
    run = DocumentRun()
    kept_as_issued = as_issued or {}
    written = written or dt.date.today()
    ledger = book.replay(as_of)
    wanted = {roster.member(name).member_id for name in members}  # an id or a name
    issued = [i for i in book.invoices if i.fee_year == fee_year and i.issue_date <= as_of
              and (not wanted or i.member_id in wanted)]  # fmt: skip
    if not issued:
        whose = " of the members asked for" if wanted else ""
        raise FileError(
            f"the ledger {book.location} has no invoice{whose} for fee year {fee_year} issued by {as_of}: "
            "run wego-xl invoice first"
        )
    start = dt.date(min(fee_year, as_of.year), 1, 1)  # the statement: from the fee year's first day at the latest
    from .letters import CREDIT_NOTE, credit_note_contexts  # which imports this module's helpers

    for invoice in sorted(issued, key=lambda i: i.number):
        member = roster.member(invoice.member_id)
        made: list[tuple[str, str, dict[str, Any]]] = []  # (kind, number, context): the documents to write
        if CREDIT_NOTE in kinds:  # also for an invoice credited in full: the member learns of it so
            made += [(CREDIT_NOTE, n, c) for n, c in credit_note_contexts(book, invoice, member, settings, languages,
                                                                          as_of, written)]  # fmt: skip
        others = [kind for kind in kinds if kind != CREDIT_NOTE]
        if ledger.invoices[invoice.number].net <= ZERO and others:  # only an invoice issued before stays
            kept = [k for k in others if (k, invoice.number) in kept_as_issued]
            if len(kept) < len(others):
                run.none_for[f"{member.display_name} ({invoice.number})"] = "credited in full"
            others = kept
        for kind in others:
            context: dict[str, Any] | None
            if kind == "invoice":  # as issued: on its own day
                context = invoice_context(book, invoice, member, settings, languages, invoice.issue_date, written)
            elif kind == "statement":
                context = statement_context(book, member, settings, start, as_of, languages, written)
            else:
                context = reminder_context(book, member, settings, as_of, languages, written,
                                           (sent or {}).get(member.member_id, []))  # fmt: skip
                if context is None:
                    run.none_for[f"{member.display_name} ({invoice.number})"] = "nothing past due"
                    continue
                number = f"{invoice.number}-{as_of:%Y%m%d}"  # a file per reminder: the earlier ones stay
                made_before = not replace and inside(out, file_name(number, member, kind)).exists()
                if context["next"].level is None and not made_before:  # (one made before is listed as kept)
                    run.none_for[f"{member.display_name} ({invoice.number})"] = context["next"].why
                    continue
                if context["total_amount"] < threshold:
                    run.none_for[f"{member.display_name} ({invoice.number})"] = (
                        f"{context['total']} USD past due, under the Settings' reminder threshold ({threshold:,.2f})"
                    )
                    continue
            made.append((kind, f"{invoice.number}-{as_of:%Y%m%d}" if kind == "reminder" else invoice.number, context))
        for kind, number, context in made:
            target = inside(out, file_name(number, member, kind))
            run.files.setdefault(member.member_id, []).append(target)
            if kind in ISSUED_ONCE:
                run.issued_once[(kind, number)] = (member.member_id, target)
            if target.exists() and not replace and kind not in ISSUED_ONCE:
                run.kept.append(target)
                continue
            if kind == "reminder":
                ladder = context["next"]
                run.reminders.append(ReminderMade(member.member_id, ladder.level, as_of, context["total_amount"],
                                                  context["late_invoices"], target, ladder.why))  # fmt: skip
            if dry_run:
                continue
            if (kind, number) in kept_as_issued:  # printed again: the same bytes as first issued
                if not (target.exists() and target.read_bytes() == kept_as_issued[(kind, number)]):
                    temporary = target.with_suffix(".docx.tmp")
                    temporary.write_bytes(kept_as_issued[(kind, number)])
                    run.reprinted.append(temporary.replace(target))
                else:
                    run.unchanged.append(target)
                continue
            shipped = templates is None and not (folder / f"{kind}.docx").exists()  # templates/ older than the kind
            run.written.append(render((TEMPLATES if shipped else folder) / f"{kind}.docx", context, target))
            if kind in ISSUED_ONCE:
                run.first_issue[(kind, number)] = (member.member_id, target)
    return run
