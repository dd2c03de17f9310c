"""Closing a period: after ``close --through D`` no entry dated on or before D is posted, by
any command, script or typed row (the ledger's store refuses it, naming the lock); a
correction goes into the open period. Before closing, what should be settled first is listed:
bank lines that wait for a person, and events the journal has not taken yet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..bank.service import open_lines
from ..errors import InputError
from ..ledger import schema as t
from ..ledger.service import plain_text
from ..ledger.store import LedgerStore, closed_through, stamp
from ..store.roster import Roster
from .journal import pending_events


@dataclass(frozen=True)
class Unsettled:
    """What should be settled before a period is closed."""

    waiting_lines: list[str]
    unexported: int

    def __bool__(self) -> bool:
        return bool(self.waiting_lines or self.unexported)

    def __str__(self) -> str:
        parts = []
        if self.waiting_lines:
            parts.append(f"{len(self.waiting_lines)} bank line(s) wait for a person ({', '.join(self.waiting_lines[:3])}"
                         f"{'...' if len(self.waiting_lines) > 3 else ''}): wego-xl bank review")  # fmt: skip
        if self.unexported:
            parts.append(f"{self.unexported} event(s) not in the journal as the ledger now has them: wego-xl journal "
                         "--from ... --to ...")  # fmt: skip
        return "; ".join(parts)


def close_period(
    store: LedgerStore, roster: Roster, through: dt.date, closed_by: str, *, anyway: bool = False, note: str = ""
) -> Unsettled:
    """Close the period through ``through`` (refused over unsettled items unless ``anyway``);
    returns what was unsettled."""
    if through >= dt.date.today():
        raise InputError(f"{through} is not past yet: a period is closed once it has ended (a lock is never moved "
                         "back, so a wrong year would stop the ledger until then)")  # fmt: skip
    who = plain_text(closed_by, "who closes the period (--by)", 200)
    if not who:
        raise InputError("say who closes the period: --by NAME")
    with store.writing() as conn:
        lock = closed_through(conn)
        if lock is not None and through <= lock[0]:
            raise InputError(f"the period through {lock[0]} is closed already (by {lock[1]}): a lock is never moved "
                             "back; close a later day")  # fmt: skip
        waiting = [line.where for line in open_lines(conn) if line.value_date <= through]
        unexported = pending_events(store, conn, roster, through)
        unsettled = Unsettled(waiting, unexported)
        if unsettled and not anyway:
            raise InputError(f"not closed: {unsettled}. Settle them, or close with --anyway")
        conn.execute(t.period_locks.insert().values(
            through=through, closed_at=stamp(), closed_by=who,
            note=plain_text(note, "the note") + (f" (closed over: {unsettled})" if unsettled else ""),
        ))  # fmt: skip
    return unsettled
