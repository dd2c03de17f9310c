"""Credit-note documents and e-mail drafts, beside the invoices, statements and reminders of
:mod:`wego_xl.app.documents`.

A credit-note document (``credit-note.docx``) is written for each credit note of the ledger
on an invoice the documents are for: its number and date, the invoice it reduces, the
amount and reason, the invoice as issued with every credit note and payment on it, and what
is left to pay. An e-mail draft (``.eml``, opened by Outlook or Thunderbird as a message not
yet sent) is written for each member with its documents' PDFs attached, addressed to the
member's e-mail address on the roster's Members sheet (an ``Email`` column) from the
Settings sheet's ``Email``; nothing is sent from here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr
from pathlib import Path
from typing import Any

from ..errors import RosterError
from ..messages import say
from ..rules.ledger import ZERO, Invoice, LedgerBook, credit_effective
from ..store.roster import MEMBERS_SHEET, SETTINGS_SHEET, Member, Roster
from ..store.sheets import SheetReader
from ..store.xlsx import open_workbook, sheet_records
from .document_contents import (
    common_context,
    credit_item,
    document_settings,
    in_both,
    member_names,
    money,
    say_date,
    two_languages,
)
from .documents import DocumentRun, file_name, inside

#: The kind (and template name) of the credit-note document.
CREDIT_NOTE = "credit-note"
#: The Members sheet's headers read as a member's e-mail address (any case).
EMAIL_HEADERS = ("email", "e-mail", "email address", "e-mail address", "contact email")
#: One e-mail address, as a draft may carry it: no spaces, quotes, brackets or separators.
_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]+")
#: The header a draft names its member by (its id): sending logs each message per member.
MEMBER_HEADER = "X-WeGO-Member"
#: The title each kind of document has, in either language (a draft's subject names them).
TITLES = {"invoice": "invoice_title", "statement": "statement_title", "reminder": "reminder_title",
          CREDIT_NOTE: "credit_note_title"}  # fmt: skip


def credit_note_contexts(
    book: LedgerBook, invoice: Invoice, member: Member, settings: dict[str, str], languages: tuple[str, str],
    as_of: dt.date, written: dt.date,
) -> Iterator[tuple[str, dict[str, Any]]]:  # fmt: skip
    """(credit note number, what its document shows) for each credit note on ``invoice`` that
    counts by ``as_of``: the note, the invoice as issued, every credit note and payment on it
    by ``as_of``, and what is left to pay (or the member's credit)."""
    state = book.replay(as_of).invoices[invoice.number]
    notes = sorted((n for n in book.credits if n.invoice == invoice.number
                    and credit_effective(n, invoice.issue_date) <= as_of), key=lambda n: (n.date, n.number))  # fmt: skip
    items = [{"text": in_both(languages, "invoice_as_issued", number=invoice.number, year=invoice.fee_year),
              "amount": money(invoice.amount)}]  # fmt: skip
    items += [credit_item(note, languages) for note in notes]
    if state.applied > ZERO:
        items.append({"text": in_both(languages, "paid_to_date"), "amount": money(-state.applied)})
    if state.written_off > ZERO:
        items.append({"text": in_both(languages, "written_off_to_date"), "amount": money(-state.written_off)})
    left = state.open
    if left > ZERO:
        left_line = [say("document.pay_by", lang, amount=money(left), due=say_date(invoice.due_date, lang),
                         number=invoice.number) for lang in languages]  # fmt: skip
    elif left < ZERO:
        left_line = in_both(languages, "closing_credit", amount=money(-left))
    else:
        left_line = in_both(languages, "left_nothing", invoice=invoice.number)
    for note in notes:
        day = credit_effective(note, invoice.issue_date)
        context = common_context(settings, languages, day, written)
        labels = context["L"]
        labels["invoice_of"] = [say("document.invoice_of", lang, year=invoice.fee_year, amount=money(invoice.amount),
                                    issued=say_date(invoice.issue_date, lang)) for lang in languages]  # fmt: skip
        labels["credit_body"] = [say("document.credit_body", lang, number=note.number, date=say_date(day, lang),
                                     invoice=invoice.number, amount=money(note.amount)) for lang in languages]  # fmt: skip
        labels["left_line"] = left_line
        context.update(
            credit={
                "number": note.number,
                "date": [say_date(day, lang) for lang in languages],
                "invoice": invoice.number,
                "fee_year": invoice.fee_year,
                "amount": money(note.amount),
                "reason": note.reason,
                "invoice_amount": money(invoice.amount),
                "left": money(max(left, ZERO)),
                "owing": left > ZERO,
            },
            member={"id": member.member_id, "name": member_names(member, languages), "country": member.country},
            items=items,
        )
        yield note.number, context


# -- e-mail drafts --------------------------------------------------------------------------


@dataclass
class Drafts:
    """What ``write_email_drafts`` did: drafts written, drafts kept, and members without one."""

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    none_for: dict[str, str] = field(default_factory=dict)  # member -> why no draft


def _addresses(text: str) -> list[str]:
    """The addresses a cell holds (separated by ";" or ","), each one address, else none."""
    parts = [p.strip() for p in re.split(r"[;,]", text) if p.strip()]
    return parts if parts and all(_ADDRESS.fullmatch(p) for p in parts) else []


def member_addresses(roster: Roster) -> dict[str, tuple[int, str]] | None:
    """Each member's e-mail cell on the Members sheet (row, text), by member id; None when
    the sheet has no e-mail column (the shipped roster has none: add one headed "Email")."""
    wb = open_workbook(roster.path)
    try:
        found: dict[str, tuple[int, str]] = {}
        column = None
        for row, get in sheet_records(wb, roster.path, MEMBERS_SHEET, ["Member ID"], "restore the Members sheet"):
            column = column or next((h for h in get if h.strip().casefold() in EMAIL_HEADERS), "")
            if not column:
                return None
            found[str(get["Member ID"]).strip()] = (row, str(get[column] or "").strip())
        return found if column else None
    finally:
        wb.close()


def email_sender(roster: Roster) -> str:
    """The Settings sheet's ``Email``, the drafts' sender: an error naming the row when it is
    blank or not one address (checked before any file is written)."""
    found = roster.settings.get("Email")
    if found is None or len(_addresses(found.value or "")) != 1:
        raise SheetReader(roster.path, SETTINGS_SHEET, RosterError).error(
            found.row if found else None, "Value", None,
            f"'Email' is {'blank' if found is None or not found.value else 'not one e-mail address'}; "
            "e-mail drafts are sent from it",
            'type the finance desk\'s address: wego-xl settings "Email" "finance@..."',
        )  # fmt: skip
    return found.value.strip()


def member_language(member: Member) -> str:
    """The language a member is written to: Korean for a member in Korea, else English."""
    return "ko" if member.country_iso3 == "KOR" else "en"


def email_draft(roster: Roster, member: Member, to: list[str], pdfs: list[Path], fee_year: int) -> EmailMessage:
    """A message not yet sent: to the member, from the Settings' address, its subject and
    words in the member's language, each PDF attached."""
    settings = document_settings(roster)
    lang = member_language(member)
    languages = two_languages(lang)
    org = common_context(settings, languages, dt.date.today(), dt.date.today())["org"]
    kinds = [next(k for k in TITLES if p.stem.endswith(f"_{k}")) for p in pdfs]
    documents = ", ".join(dict.fromkeys(say(f"document.{TITLES[k]}", lang) for k in kinds))
    name = member_names(member, languages)[0]
    message = EmailMessage()
    message["From"] = formataddr((org["name"][0], email_sender(roster)))
    message["To"] = ", ".join(to)
    message["Subject"] = say("email.subject", lang, year=fee_year, documents=documents)
    message["X-Unsent"] = "1"  # Outlook opens it as a draft to send
    message[MEMBER_HEADER] = member.member_id
    signature = [org["signed_by"], org["name"][0], org["address"][0], org["email"]]
    message.set_content("\n\n".join([
        say("document.dear", lang, member=name),
        say("email.body", lang, year=fee_year, documents=documents),
        "\n".join([say("document.sincerely", lang), *(line for line in signature if line)]),
    ]) + "\n")  # fmt: skip
    for pdf in pdfs:
        message.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf.name)
    return message


def write_email_drafts(roster: Roster, run: DocumentRun, out: Path, fee_year: int, *, replace: bool = False) -> Drafts:
    """One ``.eml`` per member of ``run`` with its documents' PDFs attached (converted first),
    e.g. "2017-W001_Seoul_email.eml"; a member without an address on the roster is listed
    with the reason, never given an invented one. A draft that exists is kept."""
    email_sender(roster)
    drafts = Drafts()
    addresses = member_addresses(roster)
    for member_id, files in run.files.items():
        member = roster.member(member_id)
        who = member.display_name
        cell = (addresses or {}).get(member_id)
        if addresses is None:
            drafts.none_for[who] = f"the roster's {MEMBERS_SHEET} sheet has no Email column: no address to write to"
            continue
        if cell is None or not cell[1]:
            where = f" (row {cell[0]})" if cell else ""
            drafts.none_for[who] = f"no e-mail address on the {MEMBERS_SHEET} sheet{where}"
            continue
        to = _addresses(cell[1])
        if not to:
            drafts.none_for[who] = f"{cell[1]!r} on the {MEMBERS_SHEET} sheet (row {cell[0]}) is not an e-mail address"
            continue
        pdfs = [f.with_suffix(".pdf") for f in files]
        if missing := [p.name for p in pdfs if not p.exists()]:
            drafts.none_for[who] = f"no PDF of {missing[0]}: run with --pdf"
            continue
        target = inside(out, Path(file_name(f"{fee_year}-{member_id}", member, "email")).with_suffix(".eml").name)
        if target.exists() and not replace:
            drafts.kept.append(target)
            continue
        temporary = target.with_suffix(".eml.tmp")
        temporary.write_bytes(email_draft(roster, member, to, pdfs, fee_year).as_bytes(policy=SMTP))
        drafts.written.append(temporary.replace(target))
    return drafts
