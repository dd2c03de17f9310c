"""Recording a change of a member: the Members row (the current state) and a History row
(what changed, from, to, the effective date, the decision, who entered it and when),
written together in one save through the one write path. Impossible moves are refused
before anything is written (:func:`wego_xl.rules.history.check_move`).
"""

from __future__ import annotations

import datetime as dt
import getpass
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..errors import InputError, WegoError
from ..rules.history import MEMBERSHIP, check_effective, check_move
from ..rules.inputs import refuse_control_characters
from ..rules.membership import MembershipType
from ..rules.names import check_new_name, name_key
from ..store.roster import HISTORY_COLUMNS, HISTORY_SHEET, MEMBERS_SHEET, Member, Roster, read_roster
from ..store.saving import WorkbookUpdate
from ..store.xlsx import extend_tables, header_columns, write_cell, write_table


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


def _append_history(wb: Any, member_id: str, name: str, what: str, before: str, after: str,
                    effective: dt.date | None, decision: str, by: str | None) -> None:  # fmt: skip
    """A History row, the member's name (as it stands after the change) beside its id; a
    History sheet of an earlier version, without the Member column, gets it after its last."""
    ws = _history_sheet(wb)
    had = header_columns(ws)
    headers = header_columns(ws, add=["Member"])
    if "Member" not in had:
        _widen_tables(ws, headers["Member"])
    row = max((r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value not in (None, "")), default=1) + 1
    values = {"Member ID": member_id, "Member": name or None, "What changed": what, "From": before or None,
              "To": after or None, "Effective date": effective, "Decision": decision or None,
              "Entered by": _who(by), "Entered at": dt.date.today()}  # fmt: skip
    for name, value in values.items():
        cell = write_cell(ws, row, headers[name], value)
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
    extend_tables(ws, row)


def _widen_tables(ws: Any, last_column: int) -> None:
    """Grow each table on ``ws`` right to ``last_column`` (a column added after its last)."""
    from openpyxl.utils import get_column_letter, range_boundaries
    from openpyxl.worksheet.table import TableColumn

    for table in ws.tables.values():
        first_col, first_row, last_col, last_row = range_boundaries(table.ref)
        if last_col < last_column:
            for c in range(last_col + 1, last_column + 1):
                table.tableColumns.append(TableColumn(id=c - first_col + 1, name=str(ws.cell(first_row, c).value)))
            table.ref = f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_column)}{last_row}"


def _set(wb: Any, member: Member, values: dict[str, Any]) -> None:
    ws = wb[MEMBERS_SHEET]
    headers = header_columns(ws)
    for name, value in values.items():
        write_cell(ws, member.row, headers[name], value)


def _refuse_clash(roster: Roster, member_id: str | None, names: list[tuple[str, str]]) -> None:
    """Refuse a new name or alias that is another member's name or alias (the roster reader
    refuses such a roster, so it would stop every command and function)."""
    taken = {name_key(n): m for m in roster.members if m.member_id != member_id for n in m.names() if n}
    for what, name in names:
        other = taken.get(name_key(name))
        if other is not None:
            raise InputError(
                f"{what} {name!r} is already a name or alias of {other.display_name} ({other.member_id}, Members "
                f"row {other.row}): each name and alias belongs to one member; nothing was changed"
            )


def _still_readable(tmp: Path) -> None:
    """The written roster reads back (a change never leaves a roster every command refuses)."""
    suffix = ".xlsm" if ".xlsm" in tmp.name.lower() else ".xlsx"
    with tempfile.TemporaryDirectory(prefix="wego-check-") as folder:
        copy = Path(folder) / f"roster{suffix}"  # the written file, under a name openpyxl reads
        shutil.copyfile(tmp, copy)
        try:
            read_roster(copy)
        except WegoError as exc:
            problem = str(exc).replace(str(copy), "the changed roster")
        else:
            return
    raise InputError(f"the change would make the roster unreadable ({problem}); nothing was changed")


def change_membership(
    roster_file: Path, city: str, to: MembershipType, effective: dt.date, decision: str, by: str | None = None
) -> tuple[Member, MembershipType]:
    """Move a member to ``to`` from ``effective`` (upgrade, downgrade, withdraw, return)."""
    with WorkbookUpdate(Path(roster_file), command="member", before_replace=_still_readable) as update:
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
        _append_history(wb, member.member_id, member.display_name, MEMBERSHIP, before.english, to.english, effective,
                        decision, by)  # fmt: skip
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
    check_effective(effective)
    fields = dict(fields)
    for column in ("English name", "Korean name"):
        if fields.get(column):
            fields[column] = check_new_name(str(fields[column]), f"the {column}")
    for column, value in fields.items():
        if isinstance(value, str):
            refuse_control_characters(value, f"the {column}")
    with WorkbookUpdate(Path(roster_file), command="member", before_replace=_still_readable) as update:
        roster = read_roster(update.source)
        member_id = fields.get("Member ID") or _next_id(roster)
        _refuse_clash(roster, None, [(f"the {c}", fields[c]) for c in ("English name", "Korean name")
                                     if fields.get(c)])  # fmt: skip
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
        name = str(fields.get("English name") or fields.get("Korean name") or "")
        _append_history(wb, member_id, name, MEMBERSHIP, "", status.english, effective, decision, by)
        update.save(wb)
    return member_id


def rename_member(
    roster_file: Path, city: str, english: str | None, korean: str | None, effective: dt.date, decision: str,
    by: str | None = None,
) -> Member:  # fmt: skip
    """Rename a member; the old name stays as an alias, so it still resolves."""
    if not english and not korean:
        raise InputError("give the new name: --english NAME and/or --korean NAME")
    english = check_new_name(english, "the new English name") if english else None
    korean = check_new_name(korean, "the new Korean name") if korean else None
    check_effective(effective)
    with WorkbookUpdate(Path(roster_file), command="member", before_replace=_still_readable) as update:
        roster = read_roster(update.source)
        member = roster.find(city)
        _refuse_clash(roster, member.member_id, [(f"the new {c} name", n) for c, n in
                                                 (("English", english), ("Korean", korean)) if n])  # fmt: skip
        wb = update.open()
        new_keys = {name_key(n) for n in (english, korean) if n}
        aliases = [a for a in member.aliases if name_key(a) not in new_keys]  # a former name taken back
        values: dict[str, Any] = {}
        for column, old, new in (("English name", member.name_en, english), ("Korean name", member.name_ko, korean)):
            if new:
                values[column] = new
                if old and name_key(old) not in new_keys and old not in aliases:
                    aliases.append(old)
                _append_history(wb, member.member_id, english or member.display_name, column, old, new, effective,
                                decision, by)  # fmt: skip
        values["Aliases"] = "; ".join(aliases) or None
        _set(wb, member, values)
        update.save(wb)
    return member


def _next_id(roster: Roster) -> str:
    numbers = [int(m.member_id[1:]) for m in roster.members if m.member_id[:1] == "W" and m.member_id[1:].isdigit()]
    return f"W{max(numbers, default=0) + 1:03d}"
