"""The roster's Settings sheet: the Secretariat's name, address and bank details that the
documents print, and the payment days invoices use. ``wego-xl settings`` shows them and sets
one (adding the sheet, with every standard row, to a roster made before it existed), through
the one write path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..errors import InputError
from ..rules.inputs import read_money, refuse_control_characters
from ..rules.ledger import ZERO
from ..store.roster import SETTINGS_COLUMNS, SETTINGS_SHEET, Setting, read_roster
from ..store.saving import WorkbookUpdate
from ..store.xlsx import extend_tables, write_cell, write_table

#: The Settings sheet as shipped: what documents print about the Secretariat. The bank details
#: are left blank on purpose: the finance team types them (documents refuse blanks).
STANDARD_SETTINGS = [
    ("Secretariat name (English)", "WeGO Secretariat", "printed at the top of every document"),
    ("Secretariat name (Korean)", "세계전자정부협의체(WeGO) 사무국", "printed under the English name"),
    ("Organisation", "World e-Governments Organization of Cities and Local Governments", ""),
    ("Address (English)", "Seoul Global Center 10F, 38 Jongno, Jongno-gu, Seoul, Republic of Korea", ""),
    ("Address (Korean)", "서울특별시 종로구 종로 38 서울글로벌센터 10층", ""),
    ("Email", "", "the finance desk's address, printed under the address"),
    ("Bank name", "", "the bank that holds the Secretariat's USD account"),
    ("Bank address", "", ""),
    ("Account name", "", "the account holder, as the bank has it"),
    ("Account number", "", "type it as text (a leading apostrophe) so Excel keeps every digit"),
    ("SWIFT/BIC", "", ""),
    ("Payment days", "60", "days from the invoice date to the due date (wego-xl invoice --due-days)"),
    ("Signed by", "", "name and title printed under the letters, e.g. 'Kim ..., Head of Finance'"),
    (
        "Bank charges tolerance (USD)",
        "50",
        "a receipt short of its invoice by this much or less settles it "
        "(the difference is bank charges, or an exchange difference for another currency)",
    ),
    ("Reminder threshold (USD)", "50", "no reminder for an open amount under this (statements still show it)"),
    (
        "Rate source",
        "ECB",
        "whose exchange rates convert a receipt in another currency (ECB, or the source a "
        "rates mapping names, such as SMBS)",
    ),
    (
        "Rate fallback days",
        "0",
        "0: a receipt needs its own day's rate; 1-7: the latest rate of the days before "
        "may serve (shown on the receipt)",
    ),
    ("Population age limit (years)", "10", "a population figure older than this is a check to confirm before billing"),
    ("Mail server", "", "the mail (SMTP) server `documents --send` uses: host:port, e.g. smtp.office365.com:587"),
    ("Mail security", "starttls", "starttls (port 587), ssl (port 465), or none (only a server on this computer)"),
    (
        "Mail user",
        "",
        "the account on the mail server, if it needs one; its password is read from the "
        "WEGO_MAIL_PASSWORD environment variable, never from a workbook",
    ),
]
#: Days from an invoice's date to its due date, unless the Settings sheet says otherwise.
DEFAULT_PAYMENT_DAYS = 60


def setting_name(name: str) -> str:
    """The standard name ``name`` means (any case and spacing), or an error listing them."""
    key = " ".join(name.split()).casefold()
    for standard, _, _ in STANDARD_SETTINGS:
        if standard.casefold() == key:
            return standard
    names = ", ".join(repr(s) for s, _, _ in STANDARD_SETTINGS)
    raise InputError(f"{name!r} is not a setting; the settings are {names}")


def _where(found: Setting) -> str:
    """Where a setting was read: its Settings row, or nothing for a value being typed."""
    return f" on the Settings sheet (row {found.row})" if found.row else ""


def payment_days(settings: dict[str, Setting]) -> int:
    """The Settings sheet's "Payment days" (a whole number of days from 1 to 365), else 60."""
    found = settings.get("Payment days")
    if found is None or not found.value:
        return DEFAULT_PAYMENT_DAYS
    try:
        number = float(found.value)
    except ValueError:
        number = math.nan
    days = int(number) if math.isfinite(number) else 0  # NaN and infinity are no number of days
    if not 1 <= days <= 365 or number != days:
        raise InputError(
            f"'Payment days'{_where(found)} must be a whole number of days from 1 to 365, got {found.value!r}"
        )
    return days


def money_setting(settings: dict[str, Setting], name: str, default: Decimal) -> Decimal:
    """A Settings amount in USD (0 or more, at most 10,000), else ``default``."""
    found = settings.get(name)
    if found is None or not found.value:
        return default
    try:
        amount = read_money(found.value, repr(name))
    except InputError:
        amount = Decimal(-1)
    if not ZERO <= amount <= Decimal(10_000):
        raise InputError(f"{name!r}{_where(found)} must be an amount in USD from 0 to "
                         f"10,000, got {found.value!r}")  # fmt: skip
    return amount


def whole_setting(settings: dict[str, Setting], name: str, default: int, low: int, high: int) -> int:
    """A Settings whole number from ``low`` to ``high``, else ``default``."""
    found = settings.get(name)
    if found is None or not found.value:
        return default
    text = found.value.strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise InputError(f"{name!r}{_where(found)} must be a whole number from {low} to "
                         f"{high}, got {found.value!r}")  # fmt: skip
    return int(text)


def text_setting(settings: dict[str, Setting], name: str, default: str) -> str:
    found = settings.get(name)
    return found.value.strip() if found is not None and found.value.strip() else default


@dataclass(frozen=True)
class BankSettings:
    """What the Settings sheet says about receipts: the bank-charges tolerance, the reminder
    threshold, and where exchange rates come from."""

    tolerance: Decimal = Decimal(50)
    reminder_threshold: Decimal = Decimal(50)
    rate_source: str = "ECB"
    rate_fallback_days: int = 0


def bank_settings(settings: dict[str, Setting]) -> BankSettings:
    """The Settings sheet's bank settings (defaults where blank), each checked."""
    return BankSettings(
        money_setting(settings, "Bank charges tolerance (USD)", Decimal(50)),
        money_setting(settings, "Reminder threshold (USD)", Decimal(50)),
        text_setting(settings, "Rate source", "ECB").upper(),
        whole_setting(settings, "Rate fallback days", 0, 0, 7),
    )


_CHECKS = {
    "Payment days": lambda s: payment_days(s),
    "Bank charges tolerance (USD)": lambda s: bank_settings(s),
    "Reminder threshold (USD)": lambda s: bank_settings(s),
    "Rate fallback days": lambda s: bank_settings(s),
}


def set_setting(roster_file: Path, name: str, value: str) -> Setting:
    """Write one setting's value (the sheet added first if the roster has none)."""
    standard = setting_name(name)
    refuse_control_characters(value, f"the value of {standard!r}")
    if standard in _CHECKS:
        _CHECKS[standard]({standard: Setting(standard, value, 0)})  # refused before anything is written
    with WorkbookUpdate(Path(roster_file), command="settings") as update:
        wb = update.open()
        if SETTINGS_SHEET not in wb.sheetnames:
            write_table(wb.create_sheet(SETTINGS_SHEET), list(SETTINGS_COLUMNS),
                        [list(r) for r in STANDARD_SETTINGS], name="Settings",
                        widths={"Setting": 30, "Value": 60, "What it is": 70})  # fmt: skip
        ws = wb[SETTINGS_SHEET]
        header = [str(c.value or "").strip() for c in ws[1]]
        name_col, value_col = header.index("Setting") + 1, header.index("Value") + 1
        row = next((r for r in range(2, ws.max_row + 1)
                    if str(ws.cell(r, name_col).value or "").strip() == standard), None)  # fmt: skip
        if row is None:
            row = ws.max_row + 1
            write_cell(ws, row, name_col, standard)
        write_cell(ws, row, value_col, value)  # as text: an account number keeps every digit
        extend_tables(ws, row)
        update.save(wb)
    return read_roster(roster_file).settings[standard]
