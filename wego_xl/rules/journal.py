"""The ledger's events as double-entry transactions, for the Secretariat's books. Pure Python,
USD to the cent and KRW (the booking currency) to the won, never floats.

==================  =====================================================================
event               debit / credit (USD)
==================  =====================================================================
invoice             receivable / dues income of its fee year
credit note         dues income of its fee year / receivable
payment             bank (the cash, USD value) + bank charges + exchange loss
                    (or - exchange gain) / receivable (what it credits the member)
void of a payment   the payment's transaction, reversed, on the void's date
write-off           bad debts / receivable
bank line           opening balance: bank / opening balances; a debit: other bank costs /
                    bank; a receipt set aside: other income; a receipt that waits: suspense
                    (a line that is a member's payment is that payment's transaction)
==================  =====================================================================

Every transaction balances in USD; its KRW amounts are each posting's USD at the day's rate,
rounded to the won, the rounding put on its largest posting so that KRW balances too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..errors import InputError
from .ledger import ZERO, CreditNote, Invoice, Payment, Void, WriteOff

WON = Decimal(1)
#: The roles the chart of accounts gives an account to, with the shipped code and name.
ROLES = {
    "bank": ("1010", "Assets:Bank:Dues"),
    "receivable": ("1200", "Assets:Receivable:Dues"),
    "suspense": ("2100", "Liabilities:Unidentified-Receipts"),
    "opening": ("3000", "Equity:Opening-Balances"),
    "dues_income": ("4100", "Income:Dues"),
    "other_income": ("4900", "Income:Other"),
    "exchange_gains": ("7100", "Income:Exchange-Gains"),
    "bank_charges": ("6100", "Expenses:Bank-Charges"),
    "bank_other": ("6150", "Expenses:Bank-Other"),
    "bad_debts": ("6200", "Expenses:Bad-Debts"),
    "exchange_losses": ("7200", "Expenses:Exchange-Losses"),
}
#: An account name as beancount takes it: a root, then capitalised components.
ACCOUNT_NAME = re.compile(r"^(Assets|Liabilities|Equity|Income|Expenses)(:[A-Z0-9][A-Za-z0-9-]*)+$")


@dataclass(frozen=True, slots=True)
class Account:
    code: str
    name: str


@dataclass(frozen=True)
class Chart:
    """Which account each role posts to (the roster's Chart of accounts sheet, else the shipped)."""

    accounts: Mapping[str, Account]

    def __getitem__(self, role: str) -> Account:
        return self.accounts[role]

    def income(self, fee_year: int) -> Account:
        """Dues income of a fee year: its own sub-account."""
        base = self.accounts["dues_income"]
        return Account(f"{base.code}-{fee_year}", f"{base.name}:FY{fee_year}")


def shipped_chart() -> Chart:
    return Chart({role: Account(code, name) for role, (code, name) in ROLES.items()})


@dataclass(frozen=True, slots=True)
class Posting:
    account: Account
    usd: Decimal  # positive: debit; negative: credit
    krw: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Transaction:
    """One balanced transaction: ``event`` names what it comes from ("entry 17", "line …")."""

    event: str
    date: dt.date
    reference: str  # the entry's number (invoice, receipt...) or the bank line
    member: str
    narration: str
    postings: tuple[Posting, ...]
    rate: Decimal = ZERO  # KRW per USD of its day
    kind: str = "event"  # or "adjustment": what changed since the event was exported
    dated: dt.date | None = None  # the event's own date, when it is booked on a later day
    batch: int = 0  # the journal batch that took it (0: not exported yet), and its place there
    number: int = 0

    def balanced(self) -> bool:
        return sum((p.usd for p in self.postings), ZERO) == ZERO and sum((p.krw for p in self.postings), ZERO) == 0


@dataclass(frozen=True, slots=True)
class BankEvent:
    """A bank line that is no member's payment, or an account's opening balance, in USD."""

    event: str
    date: dt.date
    reference: str
    usd: Decimal
    kind: str  # "opening", "debit", "set aside", "waiting"


def transactions_of(
    record: Invoice | CreditNote | Payment | Void | WriteOff,
    event: str,
    chart: Chart,
    *,
    fee_year_of: Mapping[str, int],
    member_of: Mapping[str, str],
    payments: Mapping[str, Payment],
) -> tuple[dt.date, str, str, str, list[tuple[Account, Decimal]]]:
    """(date, reference, member, narration, USD postings) of one ledger entry."""
    if isinstance(record, Invoice):
        return (record.issue_date, record.number, record.member_id, f"Invoice {record.number}, fee year "
                f"{record.fee_year}", [(chart["receivable"], record.amount), (chart.income(record.fee_year),
                -record.amount)])  # fmt: skip
    if isinstance(record, CreditNote):
        year = fee_year_of[record.invoice]
        return (record.date, record.number, member_of[record.invoice], f"Credit note {record.number} on "
                f"{record.invoice}: {record.reason}", [(chart.income(year), record.amount),
                (chart["receivable"], -record.amount)])  # fmt: skip
    if isinstance(record, Payment):
        return (record.date, record.receipt, record.member_id, f"Payment {record.receipt}",
                _payment_postings(record, chart))  # fmt: skip
    if isinstance(record, WriteOff):
        return (record.date, record.number, member_of[record.invoice], f"Write-off {record.number} of "
                f"{record.invoice} ({record.decision}): {record.reason}", [(chart["bad_debts"], record.amount),
                (chart["receivable"], -record.amount)])  # fmt: skip
    paid = payments[record.receipt]
    back = [(account, -usd) for account, usd in _payment_postings(paid, chart)]
    return (record.date, record.number, paid.member_id, f"Payment {record.receipt} taken back ({record.number}): "
            f"{record.reason}", back)  # fmt: skip


def _payment_postings(p: Payment, chart: Chart) -> list[tuple[Account, Decimal]]:
    bank = chart["bank"]
    if p.currency != "USD":  # the account in that currency: its USD value
        bank = Account(f"{bank.code}-{p.currency}", f"{bank.name}-{p.currency}")  # a sibling: not in its balance
    postings = [(bank, p.value)]
    if p.bank_charges:
        postings.append((chart["bank_charges"], p.bank_charges))
    if p.exchange_difference > ZERO:
        postings.append((chart["exchange_losses"], p.exchange_difference))
    elif p.exchange_difference < ZERO:
        postings.append((chart["exchange_gains"], p.exchange_difference))
    postings.append((chart["receivable"], -p.amount))
    return postings


def won_received(record: object, payments: Mapping[str, Payment]) -> dict[int, Decimal]:
    """The won a receipt in won put in the bank (or a void took out), by the index of its
    bank posting (the first): the journal books them as credited, not converted back."""
    paid = record if isinstance(record, Payment) else payments.get(record.receipt) if isinstance(record, Void) else None
    if paid is None or paid.currency != "KRW" or paid.received is None:
        return {}
    return {0: paid.received if isinstance(record, Payment) else -paid.received}


def bank_postings(event: BankEvent, chart: Chart) -> list[tuple[Account, Decimal]]:
    """A bank line that is no member's payment, or an opening balance."""
    other = {"opening": "opening", "debit": "bank_other", "set aside": "other_income", "waiting": "suspense"}
    return [(chart["bank"], event.usd), (chart[other[event.kind]], -event.usd)]


def in_won(
    event: str,
    day: dt.date,
    usd_postings: list[tuple[Account, Decimal]],
    rate_of: Callable[[dt.date], Decimal],
    fixed: Mapping[int, Decimal] | None = None,
) -> tuple[tuple[Posting, ...], Decimal]:
    """The postings with their KRW at the day's rate, balanced in KRW (the rounding on the
    largest posting); ``fixed``: postings whose won are known (a receipt in won: the won the
    bank credited), the rounding then on the largest other one. A transaction that does not
    balance in USD is a bug, refused."""
    if sum((usd for _, usd in usd_postings), ZERO) != ZERO:
        raise InputError(f"{event} of {day} does not balance in USD: {usd_postings}")  # pragma: no cover - a bug
    rate = rate_of(day)
    fixed = fixed or {}
    krw = [fixed[i] if i in fixed else (usd * rate).quantize(WON, rounding=ROUND_HALF_UP)
           for i, (_, usd) in enumerate(usd_postings)]  # fmt: skip
    rest = -sum(krw, Decimal(0))
    free = [i for i in range(len(krw)) if i not in fixed]
    if rest and free:
        largest = max(free, key=lambda i: abs(usd_postings[i][1]))
        krw[largest] += rest
    return tuple(Posting(a, usd, k) for (a, usd), k in zip(usd_postings, krw, strict=True)), rate


def check_chart(rows: Iterable[tuple[int, str, str, str]], where: str) -> Chart:
    """A chart of accounts from its sheet's rows (row, role, code, account name): every role
    once, a beancount account name each; a missing role keeps the shipped account."""
    accounts = dict(shipped_chart().accounts)
    seen: set[str] = set()
    for row, role, code, name in rows:
        if role not in ROLES:
            raise InputError(f"{where}, row {row}: {role!r} is not a role; the roles are {', '.join(ROLES)}")
        if role in seen:
            raise InputError(f"{where}, row {row}: the role {role!r} is given twice: keep one row")
        if not ACCOUNT_NAME.match(name):
            raise InputError(f"{where}, row {row}: {name!r} is not an account name such as Assets:Bank:Dues "
                             "(a root Assets, Liabilities, Equity, Income or Expenses, then capitalised parts)")  # fmt: skip
        seen.add(role)
        accounts[role] = Account(code.strip() or ROLES[role][0], name)
    names: dict[str, str] = {}
    for role, account in accounts.items():
        if account.name in names:
            raise InputError(f"{where}: {names[account.name]} and {role} both post to {account.name}: give each role "
                             "an account of its own (the journal's balances would mix them)")  # fmt: skip
        names[account.name] = role
    return Chart(accounts)
