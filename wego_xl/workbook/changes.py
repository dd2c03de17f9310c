"""Recording a change of a member: the Members row (the current state) and a History row
(what changed, from, to, the effective date, the decision, who entered it and when),
written together in one save through the one write path. Impossible moves are refused
before anything is written (:func:`wego_xl.rules.history.check_move`).
"""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..rules.history import MEMBERSHIP, check_move
from ..rules.membership import MembershipType
from ..rules.names import name_key
from .roster import HISTORY_COLUMNS, HISTORY_SHEET, MEMBERS_SHEET, Member, Roster, read_roster
from .saving import WorkbookUpdate
from .xlsx import extend_tables, header_columns, write_cell, write_table


def _who(by: str | None) -> str:
    if by and by.strip():
        return by.strip()
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no user name known
        return "unknown"


def _history_sheet(wb: Any) -> Any:
    if HISTORY_SHEET not in wb.sheetnames:
        ws = wb.create_sheet(HISTORY_SHEET)
        write_table(ws, list(HISTORY_COLUMNS), [], name="History", number_formats={"Effective date": "yyyy-mm-dd",
                                                                              "Entered at": "yyyy-mm-dd"})  # fmt: skip
    return wb[HISTORY_SHEET]


def _append_history(wb: Any, member_id: str, what: str, before: str, after: str, effective: dt.date | None,
                    decision: str, by: str | None) -> None:  # fmt: skip
    ws = _history_sheet(wb)
    headers = header_columns(ws)
    row = max((r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value not in (None, "")), default=1) + 1
    values = {"Member ID": member_id, "What changed": what, "From": before or None, "To": after or None,
              "Effective date": effective, "Decision": decision or None, "Entered by": _who(by),
              "Entered at": dt.date.today()}  # fmt: skip
    for name, value in values.items():
        cell = write_cell(ws, row, headers[name], value)
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
    extend_tables(ws, row)


def _set(wb: Any, member: Member, values: dict[str, Any]) -> None:
    ws = wb[MEMBERS_SHEET]
    headers = header_columns(ws)
    for name, value in values.items():
        write_cell(ws, member.row, headers[name], value)


def change_membership(
    roster_file: Path, city: str, to: MembershipType, effective: dt.date, decision: str, by: str | None = None
) -> tuple[Member, MembershipType]:
    """Move a member to ``to`` from ``effective`` (upgrade, downgrade, withdraw, return)."""
    with WorkbookUpdate(Path(roster_file), command="member") as update:
        roster = read_roster(update.source)
        member = roster.find(city)
        check_move(roster.history, member.member_id, member.membership, to, effective, decision)
        before = member.membership
        wb = update.open()
        values: dict[str, Any] = {"Membership": to.english}
        if to is MembershipType.FULL:
            values["Full since"] = effective.year
        if to is MembershipType.ASSOCIATE and before is MembershipType.APPLICANT:
            values["Associate since"] = effective.year
        if to is MembershipType.ASSOCIATE and before is MembershipType.FULL:
            values["Full since"] = None
        _set(wb, member, values)
        _append_history(wb, member.member_id, MEMBERSHIP, before.english, to.english, effective, decision, by)
        update.save(wb)
    return member, before


def add_member(
    roster_file: Path,
    fields: dict[str, Any],
    status: MembershipType,
    effective: dt.date,
    decision: str,
    by: str | None = None,
) -> str:
    """Add a member (an applicant, or an associate the Secretariat accepted); returns its id."""
    if status not in (MembershipType.APPLICANT, MembershipType.ASSOCIATE, MembershipType.FRIENDSHIP):
        raise InputError("a new member starts as Applicant, Associate or Friendship (then: wego-xl member upgrade)")
    with WorkbookUpdate(Path(roster_file), command="member") as update:
        roster = read_roster(update.source)
        member_id = fields.get("Member ID") or _next_id(roster)
        for name in (fields.get("English name"), fields.get("Korean name")):
            if name and name_key(name) in {name_key(n) for m in roster.members for n in m.names() if n}:
                raise InputError(f"{name!r} is already a member's name or alias")
        if any(m.member_id == member_id for m in roster.members):
            raise InputError(f"the id {member_id} is already used")
        wb = update.open()
        ws = wb[MEMBERS_SHEET]
        headers = header_columns(ws)
        row = max((r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value not in (None, "")), default=1) + 1
        values = {**fields, "Member ID": member_id, "Membership": status.english}
        if status is MembershipType.ASSOCIATE:
            values["Associate since"] = effective.year
        for name, value in values.items():
            if name not in headers:
                raise InputError(f"the Members sheet has no column {name!r}")
            write_cell(ws, row, headers[name], value)
        extend_tables(ws, row)
        _append_history(wb, member_id, MEMBERSHIP, "", status.english, effective, decision, by)
        update.save(wb)
    return member_id


def rename_member(
    roster_file: Path, city: str, english: str | None, korean: str | None, effective: dt.date, decision: str,
    by: str | None = None,
) -> Member:  # fmt: skip
    """Rename a member; the old name stays as an alias, so it still resolves."""
    if not english and not korean:
        raise InputError("give the new name: --english NAME and/or --korean NAME")
    with WorkbookUpdate(Path(roster_file), command="member") as update:
        roster = read_roster(update.source)
        member = roster.find(city)
        wb = update.open()
        aliases = list(member.aliases)
        values: dict[str, Any] = {}
        for column, old, new in (("English name", member.name_en, english), ("Korean name", member.name_ko, korean)):
            if new:
                values[column] = new
                if old and old not in aliases:
                    aliases.append(old)
                _append_history(wb, member.member_id, column, old, new, effective, decision, by)
        values["Aliases"] = "; ".join(aliases) or None
        _set(wb, member, values)
        update.save(wb)
    return member


def _next_id(roster: Roster) -> str:
    numbers = [int(m.member_id[1:]) for m in roster.members if m.member_id[:1] == "W" and m.member_id[1:].isdigit()]
    return f"W{max(numbers, default=0) + 1:03d}"
