"""The balance confirmation letter of the auditor's pack (``wego-xl year-end``): one per member
whose balance on 31 December is not nil, asking it to confirm what it owes (or its credit), in
two languages, from the ``confirmation.docx`` template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..messages import catalogue, say
from ..rules.ledger import ZERO, LedgerBook
from ..store.roster import Member, Roster
from .document_contents import (
    common_context,
    document_settings,
    member_names,
    money,
    open_rows,
    say_date,
    two_languages,
)
from .documents import file_name, inside, make_folder, render, template_folder, template_for

#: The kind (and template name) of the balance confirmation letter.
CONFIRMATION = "confirmation"


def confirmation_context(book: LedgerBook, member: Member, settings: dict[str, str], as_of: dt.date,
                         languages: tuple[str, str], written: dt.date, reply_by: dt.date) -> dict[str, Any] | None:  # fmt: skip
    """A letter asking the member to confirm its balance on ``as_of`` (31 December): the
    amount owed (with the open invoices) or the member's credit, the Secretariat's bank, and
    the date to reply by. None when the balance is nil (nothing to confirm)."""
    ledger = book.replay(as_of)
    balance = ledger.balance(member.member_id)
    if balance == ZERO:
        return None
    context = common_context(settings, languages, written, written)
    labels = context["L"]
    for key, text in catalogue("en").items():
        if key.startswith(f"{CONFIRMATION}.") and "{" not in text:
            labels[key.split(".", 1)[1]] = [say(key, lang) for lang in languages]
    which = "owed" if balance > ZERO else "credit"
    amount = money(abs(balance))
    day = [say_date(as_of, lang) for lang in languages]
    names = member_names(member, languages)
    labels["subject"] = [say("confirmation.subject", lang, day=d) for lang, d in zip(languages, day)]
    labels["dear"] = [say("document.dear", lang, member=name) for lang, name in zip(languages, names)]
    labels["body"] = [say(f"confirmation.body_{which}", lang, year=as_of.year, day=d, amount=amount)
                      for lang, d in zip(languages, day)]  # fmt: skip
    labels["balance_on"] = [say("confirmation.balance_on", lang, day=d) for lang, d in zip(languages, day)]
    labels["balance_line"] = [say(f"confirmation.balance_{which}", lang, amount=amount) for lang in languages]
    labels["reply_by"] = [say("confirmation.reply_by", lang, reply_by=say_date(reply_by, lang)) for lang in languages]
    context.update(
        member={"id": member.member_id, "name": names, "country": member.country},
        open=open_rows(ledger.open_invoices(member.member_id), as_of, languages),
        balance=money(balance),
        balance_amount=balance,
        as_of=day,
        reply_by=[say_date(reply_by, lang) for lang in languages],
    )
    return context


def write_confirmations(
    roster: Roster,
    book: LedgerBook,
    as_of: dt.date,
    out: Path,
    *,
    language: str,
    reply_by: dt.date,
    written: dt.date | None = None,
    templates: Path | None = None,
) -> list[Path]:
    """One balance confirmation letter per member whose balance on ``as_of`` is not nil (owed
    or a credit), in two languages (``language`` first), into ``out``, named like
    "2017-W001_Seoul_confirmation.docx"; written again on every run (the pack is a view)."""
    languages = two_languages(language)
    settings = document_settings(roster)  # a blank bank detail stops before any letter is written
    template = template_for(template_folder(roster, templates), CONFIRMATION, shipped_fallback=templates is None)
    make_folder(out)
    written = written or dt.date.today()
    letters = []
    for member_id in book.replay(as_of).members():
        member = roster.member(member_id)
        context = confirmation_context(book, member, settings, as_of, languages, written, reply_by)
        if context is None:
            continue
        target = inside(out, file_name(f"{as_of.year}-{member.member_id}", member, CONFIRMATION))
        letters.append(render(template, context, target))
    return letters
