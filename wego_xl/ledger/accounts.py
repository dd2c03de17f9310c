"""The members' accounts as the ledger gives them on a day: each member's balance with the
ledger's totals reconciled (``wego-xl balances``), and one member's statement for the year
up to a date (``wego-xl statement``), named as the statement document names the member."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..app.document_contents import member_names
from ..rules.ledger import Reconciliation, Statement, reconcile
from ..store.roster import Member, Roster
from .store import LedgerStore
from .views import BALANCES, report_tables


@dataclass(frozen=True)
class Balances:
    """Each member's billed, credited, paid, written off and balance on ``day`` (the view's
    Balances columns and rows), and the ledger's totals reconciled."""

    day: dt.date
    columns: list[str]
    rows: list[list[Any]]
    totals: Reconciliation


def balances_on(store: LedgerStore, roster: Roster, day: dt.date) -> Balances:
    """The members' balances on ``day``, named as on the roster, and the totals reconciled."""
    ledger = store.load().replay(day)
    names = {m.member_id: m.display_name for m in roster.members}
    columns, rows = report_tables(names, ledger)[BALANCES]
    return Balances(day, columns, rows, reconcile(ledger))


def member_statement(store: LedgerStore, member: Member, day: dt.date) -> Statement:
    """The member's statement for the calendar year of ``day``, from 1 January up to ``day``."""
    start = dt.date(day.year, 1, 1)
    return store.load(member_id=member.member_id).statement(member.member_id, start, day)


def statement_names(member: Member, language: str) -> str:
    """The member's names as the statement heads them in ``language``: that language's name
    first, the other beside it."""
    return member_names(member, (language, language))[0]
