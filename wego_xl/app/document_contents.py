"""What each document shows, in two languages: the Secretariat and its bank (the Settings
sheet's, never code's), the member, and the ledger's figures as issued, for the Word templates
of :mod:`wego_xl.app.documents` (invoices, statements, reminders), :mod:`wego_xl.app.letters`
(credit notes) and :mod:`wego_xl.app.confirmations` (balance confirmations).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from ..errors import RosterError
from ..messages import LANGUAGES, band_label, catalogue, say
from ..rules.ledger import ZERO, CreditNote, Invoice, InvoiceState, LedgerBook, StatementLine, credit_effective
from ..rules.reminders import NextReminder, Sent, next_reminder
from ..store.roster import SETTINGS_SHEET, Member, Roster
from ..store.sheets import SheetReader

#: Settings every document prints: a blank one stops the documents, naming its row.
REQUIRED_SETTINGS = (
    "Secretariat name (English)", "Secretariat name (Korean)", "Address (English)", "Address (Korean)",
    "Bank name", "Account name", "Account number", "SWIFT/BIC",
)  # fmt: skip


def two_languages(language: str) -> tuple[str, str]:
    """The languages a document is written in: ``language`` first, the other after."""
    return (language, next(lang for lang in LANGUAGES if lang != language))


def say_date(day: dt.date, language: str) -> str:
    """A date as a letter in ``language`` writes it (31 March 2017; 2017년 3월 31일)."""
    return say("date.format", language, day=day.day, month_name=say(f"date.month_{day.month}", language), year=day.year)


def money(amount: Decimal) -> str:
    """An amount as documents print it: 1,234.50."""
    return f"{amount:,.2f}"


def in_both(languages: tuple[str, str], key: str, **fields: Any) -> list[str]:
    """The catalogues' ``document.<key>`` in each of the two languages."""
    return [say(f"document.{key}", lang, **fields) for lang in languages]


def document_settings(roster: Roster) -> dict[str, str]:
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
            raise SheetReader(roster.path, SETTINGS_SHEET, RosterError).error(
                found.row if found else None,
                "Value",
                None,
                f"{name!r} is blank; documents print it",
                f'type it on the Settings sheet, or: wego-xl settings "{name}" "...", then run wego-xl documents again',
            )
    return {name: s.value for name, s in roster.settings.items()}


def member_names(member: Member, languages: tuple[str, str], english: str = "", korean: str = "") -> list[str]:
    """The member's name as each language reads it, the other name beside it."""
    en, ko = english or member.name_en or member.display_name, korean or member.name_ko
    shown = {"en": f"{en} ({ko})" if ko else en, "ko": f"{ko} ({en})" if ko else en}
    return [shown[lang] for lang in languages]


def common_context(
    settings: dict[str, str], languages: tuple[str, str], dated: dt.date, written: dt.date
) -> dict[str, Any]:
    """What every document shows: the Secretariat, its bank, the labels, the letter's date
    (``dated``) and the day it was written."""
    order = {"en": "English", "ko": "Korean"}
    email = settings.get("Email", "")
    labels = {
        key.split(".", 1)[1]: [say(key, lang) for lang in languages]
        for key in _label_keys()
    }  # fmt: skip
    labels["contact"] = in_both(languages, "contact", email=email) if email else ["", ""]
    labels["written"] = [say("document.written", lang, day=say_date(written, lang)) for lang in languages]
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
        "today": [say_date(dated, lang) for lang in languages],
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
    context = common_context(settings, languages, invoice.issue_date, written)
    population_note = ", ".join(str(v) for v in (row.get("Population year"), row.get("Population source")) if v)
    net = book.replay(as_of).invoices[invoice.number].net  # what to pay: the invoice less its credit notes
    items = [{"text": in_both(languages, "annual_fee", year=invoice.fee_year), "amount": money(invoice.amount)}]
    items += [credit_item(note, languages) for note in book.credits
              if note.invoice == invoice.number and credit_effective(note, invoice.issue_date) <= as_of]  # fmt: skip
    context["L"]["basis"] = [
        say("document.basis", lang, population=float(row["Population"]), population_note=population_note,
            population_band=band_label(row.get("Population band"), lang), gdp=float(row["GDP per capita (PPP, USD)"]),
            gdp_year=row.get("GDP year"), edition=row.get("WEO edition"), gdp_band=row.get("GDP band"),
            table=row.get("Fee table"))
        for lang in languages
    ]  # fmt: skip
    context["L"]["pay_by"] = [
        say("document.pay_by", lang, amount=money(net), due=say_date(invoice.due_date, lang), number=invoice.number)
        for lang in languages
    ]
    context.update(
        invoice={
            "number": invoice.number,
            "issued": [say_date(invoice.issue_date, lang) for lang in languages],
            "due": [say_date(invoice.due_date, lang) for lang in languages],
            "fee_year": invoice.fee_year,
            "amount": money(net),
        },
        member={
            "id": member.member_id,
            "name": member_names(
                member, languages, str(row.get("English name") or ""), str(row.get("Korean name") or "")
            ),
            "country": member.country,
        },
        items=items,
    )
    return context


def credit_line(note: CreditNote, lang: str) -> str:
    """A credit note as a line of a document says it in ``lang``: its number, the invoice it
    reduces, and its reason."""
    text = say("document.line_credit", lang, number=note.number, invoice=note.invoice)
    return f"{text}: {note.reason}" if note.reason else text


def credit_item(note: CreditNote, languages: tuple[str, str]) -> dict[str, Any]:
    """A credit note's item on an invoice or a credit-note document: its line in both
    languages and the amount it takes off."""
    return {"text": [credit_line(note, lang) for lang in languages], "amount": money(-note.amount)}


def open_rows(states: Iterable[InvoiceState], as_of: dt.date, languages: tuple[str, str]) -> list[dict[str, Any]]:
    rows = []
    for s in states:
        days = (as_of - s.invoice.due_date).days
        rows.append({
            "number": s.invoice.number,
            "fee_year": s.invoice.fee_year,
            "due": say_date(s.invoice.due_date, languages[0]),
            "days": str(days) if days > 0 else say("document.not_yet_due", languages[0]),
            "amount": money(s.open),
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
        return credit_line(record, lang)
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
    context = common_context(settings, languages, end, written)
    lines = [{"date": say_date(start, languages[0]), "text": in_both(languages, "opening"), "charge": "", "payment": "",
              "balance": money(account.opening)}]  # fmt: skip
    for line in account.lines:
        text = [statement_line_text(line, lang, say_date) for lang in languages]
        lines.append({
            "date": say_date(line.date, languages[0]),
            "text": text,
            "charge": money(line.amount) if line.amount > ZERO else "",
            "payment": money(-line.amount) if line.amount < ZERO else "",
            "balance": money(line.balance),
        })  # fmt: skip
    lines.append({"date": say_date(end, languages[0]), "text": in_both(languages, "closing"), "charge": "", "payment": "",
                  "balance": money(account.closing)})  # fmt: skip
    if account.closing > ZERO:
        closing = in_both(languages, "closing_owed", amount=money(account.closing))
    elif account.closing < ZERO:
        closing = in_both(languages, "closing_credit", amount=money(-account.closing))
    else:
        closing = in_both(languages, "closing_zero")
    context["L"]["closing_line"] = closing
    context["L"]["period"] = [say("document.period", lang, start=say_date(start, lang), end=say_date(end, lang))
                              for lang in languages]  # fmt: skip
    context.update(
        member={"id": member.member_id, "name": member_names(member, languages), "country": member.country},
        lines=lines,
        open=open_rows(account.open_invoices, end, languages),
        closing=money(account.closing),
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
    context = common_context(settings, languages, as_of, written)
    labels = context["L"]
    labels["subject"] = in_both(languages, f"reminder_subject_{step}")
    names = member_names(member, languages)
    labels["dear"] = [say("document.dear", lang, member=name) for lang, name in zip(languages, names)]
    labels["body"] = [
        say(f"document.reminder_{step}", lang, due=say_date(oldest, lang), days=days) for lang in languages
    ]
    total = sum((s.open for s in late), ZERO)
    labels["total_past_due"] = in_both(languages, "total_past_due", amount=money(total))
    context.update(
        member={"id": member.member_id, "name": names, "country": member.country},
        open=open_rows(late, as_of, languages),
        step=step,
        total=money(total),
        total_amount=total,
        next=ladder,
        late_invoices=[s.invoice.number for s in late],
    )
    return context
