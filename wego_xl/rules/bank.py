"""What the bank credits, as the ledger reads it: statements and their lines, exchange rates,
and the rules that turn a bank line into a payment (which member, which invoice, bank charges,
exchange differences). Pure Python, money in :class:`~decimal.Decimal`, never floats.

* A statement adds up: its opening balance plus its lines is its closing balance.
* A bank line is known by the bank's entry reference, else by a digest of its date, amount,
  currency, text and running balance (and its place among identical lines of its statement):
  importing the same or an overlapping statement again finds every line already there.
* A receipt short of its invoice by no more than the tolerance settles it: in USD the
  difference is bank charges; in another currency it is a realised exchange difference.
* Matching proposes, with its reason; only a sure rule posts by itself (an invoice number in
  the remittance text, of one member; or a payer name a person taught, with an amount equal
  to one open invoice).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from ..errors import InputError
from .ledger import CENT, ZERO

#: The currency invoices are in.
HOME = "USD"
#: Default of the Settings' "Bank charges tolerance (USD)" and "Reminder threshold (USD)".
DEFAULT_TOLERANCE = Decimal("50.00")
#: Rates are kept to this many decimal places (units of the currency per 1 USD).
RATE_PLACES = Decimal("0.00000001")


@dataclass(frozen=True)
class BankLine:
    """One booked line of a bank statement, as the file gives it. ``amount`` is signed in the
    statement's currency (a credit is positive); ``line`` is where it is in its file."""

    source: str  # the file's name
    line: int  # 1-based line (text files), row (sheets) or entry number (XML)
    account: str
    statement: str  # the statement's number or id ("" when the file gives none)
    booked: dt.date
    value_date: dt.date
    amount: Decimal
    currency: str
    text: str = ""  # remittance information (unstructured and structured references, joined)
    counterparty: str = ""  # the payer's name (the debtor of a credit)
    reference: str = ""  # the bank's own entry reference (AcctSvcrRef, MT940 bank reference)
    balance: Decimal | None = None  # the running balance after the line, where the file gives it
    instructed: tuple[Decimal, str] | None = None  # the amount the payer sent, in its currency
    occurrence: int = 1  # 2 for the second line identical in every other respect, and so on
    known_key: str = ""  # the key the ledger holds it by (a line read back from the ledger)

    @property
    def key(self) -> str:
        """What makes the line the same line in another import of it."""
        if self.known_key:
            return self.known_key
        if self.reference:
            body = f"{self.account}|ref|{self.reference.strip()}"
        else:
            balance = "" if self.balance is None else str(self.balance)
            body = "|".join((self.account, self.booked.isoformat(), str(self.amount), self.currency,
                             " ".join(self.text.split()), balance, str(self.occurrence)))  # fmt: skip
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    @property
    def where(self) -> str:
        return f"{self.source}, line {self.line}"


@dataclass(frozen=True)
class BankStatement:
    """A statement (or a notification, which has no balances) and its lines."""

    source: str
    account: str
    number: str
    currency: str
    opening: Decimal | None
    opening_date: dt.date | None
    closing: Decimal | None
    closing_date: dt.date | None
    lines: tuple[BankLine, ...] = ()

    def check(self) -> None:
        """Refuse a statement whose lines do not lead from its opening to its closing balance."""
        if self.opening is None or self.closing is None:
            return
        moved = sum((line.amount for line in self.lines), ZERO)
        if self.opening + moved != self.closing:
            raise InputError(
                f"{self.source}: statement {self.number or '(no number)'} of account {self.account} does not add up "
                f"(opening {self.opening:,.2f} + lines {moved:,.2f} = {self.opening + moved:,.2f}, but the closing "
                f"balance is {self.closing:,.2f}): ask the bank for the statement again"
            )


def number_occurrences(lines: Iterable[BankLine]) -> list[BankLine]:
    """The lines with ``occurrence`` set: lines without a bank reference that are identical in
    date, amount, text and balance are told apart by their order (two equal wires that day)."""
    from dataclasses import replace

    seen: dict[tuple, int] = defaultdict(int)
    out = []
    for line in lines:
        if line.reference:
            out.append(line)
            continue
        same = (line.account, line.booked, line.amount, line.currency, " ".join(line.text.split()), line.balance)
        seen[same] += 1
        out.append(replace(line, occurrence=seen[same]))
    return out


# -- exchange rates --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """Units of ``currency`` per 1 USD on a day, from a source ("ECB", "SMBS", ...)."""

    currency: str
    day: dt.date
    per_usd: Decimal
    source: str


def rate_of(per_usd: Decimal) -> Decimal:
    """A rate as kept (eight decimal places)."""
    return per_usd.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def to_usd(amount: Decimal, per_usd: Decimal) -> Decimal:
    """An amount of a currency in USD at a rate, to the cent (half up)."""
    if per_usd <= 0:
        raise InputError(f"an exchange rate must be more than 0, got {per_usd}")
    return (amount / per_usd).quantize(CENT, rounding=ROUND_HALF_UP)


def rate_for(
    rates: Mapping[dt.date, Rate], currency: str, day: dt.date, *, fallback_days: int = 0
) -> tuple[Rate, bool]:
    """The rate of a day, else (when ``fallback_days`` allows) the latest of the days before;
    returns it and whether it is an earlier day's. No rate is an error naming the date."""
    found = rates.get(day)
    if found is not None:
        return found, False
    for back in range(1, fallback_days + 1):
        earlier = rates.get(day - dt.timedelta(days=back))
        if earlier is not None:
            return earlier, True
    allowed = f" or in the {fallback_days} days before" if fallback_days else ""
    raise InputError(
        f"no {currency} rate for {day.isoformat()}{allowed}: import the rates ('wego-xl rates import FILE'), "
        "or let the Settings take the previous business day's rate ('Rate fallback days')"
    )


# -- settling ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settlement:
    """What a receipt credits to the member: the value received (in USD), plus bank charges,
    plus a realised exchange difference (positive: a loss the Secretariat bears)."""

    received: Decimal  # the value the bank credited, in USD
    bank_charges: Decimal = ZERO
    exchange_difference: Decimal = ZERO

    @property
    def credited(self) -> Decimal:
        return self.received + self.bank_charges + self.exchange_difference


def settle(received: Decimal, open_amount: Decimal, tolerance: Decimal, *, foreign: bool) -> Settlement:
    """A receipt against what is open: short by no more than ``tolerance`` settles it (bank
    charges in USD; an exchange difference in another currency, over or short); a larger
    difference stays a partial payment, or credit for an overpayment."""
    if open_amount <= ZERO:
        return Settlement(received)
    short = open_amount - received
    if ZERO < short <= tolerance:
        return Settlement(received, exchange_difference=short) if foreign else Settlement(received, bank_charges=short)
    if foreign and -tolerance <= short < ZERO:
        return Settlement(received, exchange_difference=short)
    return Settlement(received)


# -- matching ---------------------------------------------------------------------------------

#: An invoice number in remittance text: "WEGO-2017-001", "WEGO 2017 001", "WEGO2017001",
#: "wego/2017/1".
#: What follows is read too (not taken): digits that go on after a separator are an amount,
#: not an invoice number: "WEGO 2017 1,250.00 USD" names no invoice 1 (nor "WEGO 2017 1 250");
#: "WEGO 2017 001 1,250" names invoice 001.
INVOICE_IN_TEXT = re.compile(
    r"W\s*E\s*G\s*O[\s\-_/.:#]*((?:20|21)\d{2})[\s\-_/.:#]*(\d{1,4})(?!\d)(?=(.?.?))", re.IGNORECASE | re.DOTALL
)
_SEPARATORS = frozenset(",.")
_SHORT_SEPARATORS = frozenset(",.'\u00a0\u202f ")


def invoice_numbers_in(text: str) -> list[str]:
    """The invoice numbers a remittance text names, in order, each once."""
    plain = text if text.isascii() else unicodedata.normalize("NFKC", text)
    found: list[str] = []
    for year, n, then in INVOICE_IN_TEXT.findall(plain):
        if len(then) == 2 and then[1].isdigit() and then[0] in (_SHORT_SEPARATORS if len(n) < 3 else _SEPARATORS):
            continue
        if (then[:1].isalpha()) or not n.strip("0"):  # "WEGO-2017-01X", "WEGO-2017-000": garbled, no invoice
            continue
        number = f"WEGO-{year}-{(n.lstrip('0') or '0').zfill(3)}"  # as rules.ledger.numbered writes it
        if number not in found:
            found.append(number)
    return found


def payer_key(name: str) -> str:
    """A payer's or member's name as matching compares it: NFKC, case and punctuation ignored,
    the words kept apart (unlike :func:`~wego_xl.rules.names.name_key`: fuzzy matching
    compares words, "Seoul Metropolitan Government" against "Seoul")."""
    if name.isascii():  # the usual payer name: the same key, without a look at each character
        return " ".join(_NOT_ASCII_WORD.split(name.lower())).strip()
    plain = unicodedata.normalize("NFKC", name).casefold()
    kept = "".join(c if c.isalnum() else " " for c in plain)
    return " ".join(kept.split())


_NOT_ASCII_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class OpenInvoice:
    number: str
    member_id: str
    open: Decimal
    live: bool = True  # not wholly credited


class Proposal(NamedTuple):
    """Who a bank line is from and what it pays, with the reason; ``sure`` posts by itself
    (a named tuple: one is made per bank line, and matching is meant to be cheap)."""

    member_id: str | None
    invoices: tuple[str, ...]
    reason: str
    sure: bool = False
    open_amount: Decimal = ZERO  # what the proposed invoices still ask


_UNKNOWN: Any = object()


@dataclass
class Matcher:
    """Proposes a member and invoices for bank lines, from the open invoices, the members'
    names and aliases, and the payer names people taught."""

    invoices: dict[str, OpenInvoice]  # every invoice by number (open or not)
    names: Mapping[str, Iterable[str]]  # member id -> names and aliases
    payers: Mapping[str, str] = field(default_factory=dict)  # payer_key(payer) -> member id
    shown: Mapping[str, str] = field(default_factory=dict)  # member id -> display name
    cutoff: float = 88.0
    _by_amount: dict[Decimal, list[OpenInvoice]] = field(default_factory=dict, init=False, repr=False)
    _choices: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _fuzzy: dict[str, tuple[str, float] | None] = field(default_factory=dict, init=False, repr=False)
    _by_payer: dict[str, tuple[str, str, bool] | None] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.invoices = dict(self.invoices)
        by_amount: dict[Decimal, list[OpenInvoice]] = defaultdict(list)
        for invoice in self.invoices.values():
            if invoice.open > ZERO:
                by_amount[invoice.open].append(invoice)
        self._by_amount = dict(by_amount)
        for member_id, names in self.names.items():
            for name in names:
                key = payer_key(name)
                if key:
                    self._choices.setdefault(key, member_id)

    def _name(self, member_id: str) -> str:
        return self.shown.get(member_id, member_id)

    def update(self, invoices: Iterable[OpenInvoice]) -> None:
        """Take what invoices ask now (after a posting), without reading everything again."""
        for invoice in invoices:
            old = self.invoices.get(invoice.number)
            if old is not None and old.open > ZERO:
                self._by_amount[old.open] = [i for i in self._by_amount[old.open] if i.number != invoice.number]
            self.invoices[invoice.number] = invoice
            if invoice.open > ZERO:
                self._by_amount.setdefault(invoice.open, []).append(invoice)

    def member_by_name(self, counterparty: str) -> tuple[str, str, bool] | None:
        """(member id, why, taught) for a payer's name: a taught payer name exactly, else the
        member's name or an alias, exactly or closely (rapidfuzz); remembered per name."""
        if counterparty not in self._by_payer:
            self._by_payer[counterparty] = self._member_by_name(counterparty)
        return self._by_payer[counterparty]

    def _member_by_name(self, counterparty: str) -> tuple[str, str, bool] | None:
        low = counterparty.lower()  # a name written as a key already is its own key
        known = counterparty.isascii() and (low in self.payers or low in self._choices)
        key = low if known else payer_key(counterparty)
        if not key:
            return None
        if key in self.payers:
            member = self.payers[key]
            return member, f"the payer {counterparty!r} was taught as {self._name(member)}", True
        if key in self._choices:
            member = self._choices[key]
            return member, f"the payer {counterparty!r} is the name of {self._name(member)}", False
        if key not in self._fuzzy:
            from rapidfuzz import fuzz, process

            best = process.extractOne(key, list(self._choices), scorer=fuzz.token_set_ratio, score_cutoff=self.cutoff)
            self._fuzzy[key] = (best[0], float(best[1])) if best else None
        close = self._fuzzy[key]
        if close is None:
            return None
        member = self._choices[close[0]]
        return member, f"the payer {counterparty!r} resembles {self._name(member)} ({close[1]:.0f}%)", False

    def propose(self, line: BankLine, usd: Decimal) -> Proposal:
        """The proposal for a credit line worth ``usd``."""
        written = invoice_numbers_in(line.text)
        payer = line.counterparty
        by_name = self._by_payer.get(payer, _UNKNOWN) if payer else None
        if by_name is _UNKNOWN:
            by_name = self.member_by_name(payer)
        if len(written) == 1:  # the usual wire: one invoice named, of the payer (if it says)
            only = self.invoices.get(written[0])
            if (
                only is not None
                and only.live
                and only.open > ZERO
                and (by_name is None or by_name[0] == only.member_id)
            ):
                member = only.member_id
                return Proposal(member, (only.number,), f"the text names {only.number} "
                                f"({self.shown.get(member, member)})", True, only.open)  # fmt: skip
        named = [self.invoices[n] for n in written if n in self.invoices]
        unknown = [n for n in written if n not in self.invoices]
        if unknown and not named:
            return Proposal(by_name[0] if by_name else None, (), f"the text names {', '.join(unknown)}, which is no "
                            "invoice of the ledger" + (f"; {by_name[1]}" if by_name else ""))  # fmt: skip
        if named:
            members = {i.member_id for i in named}
            numbers = tuple(i.number for i in named)
            open_amount = sum((i.open for i in named), ZERO)
            if len(members) > 1:
                return Proposal(None, numbers, f"the text names invoices of {len(members)} members: "
                                f"{', '.join(numbers)}", open_amount=open_amount)  # fmt: skip
            member = named[0].member_id
            why = f"the text names {', '.join(numbers)} ({self._name(member)})"
            if by_name and by_name[0] != member:
                return Proposal(member, numbers, f"{why}, but {by_name[1]}", open_amount=open_amount)
            if not all(i.live for i in named):
                return Proposal(member, numbers, f"{why}, but it was credited in full", open_amount=open_amount)
            paid = [i.number for i in named if i.open <= ZERO]
            if paid:
                return Proposal(member, numbers, f"{why}, but {', '.join(paid)} is paid already: the same transfer "
                                "twice?", open_amount=open_amount)  # fmt: skip
            return Proposal(member, numbers, why, sure=True, open_amount=open_amount)
        if by_name:
            member, why, taught = by_name
            mine = [i for i in self.invoices.values() if i.member_id == member and i.open > ZERO]
            equal = [i for i in mine if i.open == usd]
            if len(equal) == 1:
                sure = taught
                return Proposal(member, (equal[0].number,), f"{why}; the amount equals {equal[0].number}",
                                sure=sure, open_amount=equal[0].open)  # fmt: skip
            return Proposal(member, (), why, open_amount=sum((i.open for i in mine), ZERO))
        equal = self._by_amount.get(usd, [])
        if len(equal) == 1:
            only = equal[0]
            return Proposal(only.member_id, (only.number,), f"the amount equals what {only.number} "
                            f"({self._name(only.member_id)}) asks, and no other open invoice's", open_amount=only.open)  # fmt: skip
        why = "no invoice number in the text, no known payer name"
        if len(equal) > 1:
            why += f", and {len(equal)} open invoices ask {usd:,.2f}"
        return Proposal(None, (), why + ": assign it by hand")
