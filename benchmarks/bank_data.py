"""Synthetic bank data for the benchmarks: open invoices and the credits that pay them, as
remittance texts spell invoice numbers ("WEGO 2017 0042", "WEGO2017-42", "wego/2017/42"...),
and whole statements (opening + lines = closing) of lines that mostly wait for a person.
Built in memory: the reading of bank files is not what these benchmarks measure."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal

from wego_xl.rules.bank import BankLine, BankStatement, OpenInvoice, number_occurrences
from wego_xl.rules.ledger import numbered

ACCOUNT = "KR12345678901234"
AMOUNTS = (Decimal("400.00"), Decimal("1500.00"), Decimal("5000.00"), Decimal("10000.00"))
#: How remittance texts write invoice n of a fee year (the matcher reads every one of them).
SPELLINGS = (
    lambda y, n: numbered("WEGO", y, n),
    lambda y, n: f"WEGO {y} {n:04d}",
    lambda y, n: f"WEGO{y}-{n}",
    lambda y, n: f"wego/{y}/{n}",
    lambda y, n: f"Membership fee inv. WEGO_{y}_{n:03d} thank you",
    lambda y, n: f"ref wego {y}.{n} dues",
)


def open_invoices(count: int, members: int, *, first_year: int = 2015, seed: int = 5):
    """``count`` open invoices (numbered per fee year, as the ledger numbers them) across
    ``members`` members: (invoices by number, names by member id, display name by member id)."""
    rng = random.Random(seed)
    names = {f"S{m:06d}": [f"Synthetic City {m}"] for m in range(members)}
    ids = list(names)
    per_year = -(-count // 5)  # five fee years: numbers stay within the four digits texts give
    invoices = {}
    for i in range(count):
        number = numbered("WEGO", first_year + i // per_year, i % per_year + 1)
        invoices[number] = OpenInvoice(number, ids[i % members], rng.choice(AMOUNTS))
    return invoices, names, {k: v[0] for k, v in names.items()}


def credit_lines(invoices: dict[str, OpenInvoice], names: dict[str, list[str]], *, seed: int = 6) -> list[BankLine]:
    """One credit per invoice, of its open amount, its number spelt in one of :data:`SPELLINGS`
    and its member's name as the payer (in capitals, or as the roster writes it)."""
    rng = random.Random(seed)
    lines = []
    for k, invoice in enumerate(invoices.values()):
        _, year, n = invoice.number.split("-")
        text = rng.choice(SPELLINGS)(int(year), int(n))
        payer = names[invoice.member_id][0]
        day = dt.date(2024, 1, 2) + dt.timedelta(k % 300)
        lines.append(BankLine("bench.xml", k + 1, ACCOUNT, "1", day, day, invoice.open, "USD", text,
                              payer.upper() if k % 2 else payer))  # fmt: skip
    return lines


def statement(
    lines: int, member_names: Sequence[str], payable: Sequence[tuple[str, Decimal]], *, seed: int = 7
) -> BankStatement:
    """A USD statement of ``lines`` lines: one in fifty a debit (bank fees), one in a hundred
    a credit naming an invoice of ``payable`` (number, open amount: it posts by itself), the
    rest credits naming no invoice (a member's name as the payer, an unknown payer, or none),
    which wait for a person."""
    rng = random.Random(seed)
    start = dt.date(2024, 1, 2)
    opening = Decimal("100000.00")
    out, balance, paying = [], opening, iter(payable)
    for k in range(lines):
        day = start + dt.timedelta(k * 300 // lines)
        if k % 50 == 49:
            amount, text, payer = -Decimal(rng.randint(5, 40)), "BANK FEE", ""
        elif k % 100 == 0:
            number, amount = next(paying)
            text, payer = f"{number} membership fee", ""
        else:
            amount, text = rng.choice(AMOUNTS) + Decimal(rng.randint(1, 99)), f"TRANSFER {rng.randint(1, 10**8)}"
            payer = (rng.choice(member_names), f"Payer {rng.randint(1, 10**6)} Trading Co", "")[k % 3]
        balance += amount
        out.append(BankLine("bench.xml", k + 1, ACCOUNT, "1", day, day, amount, "USD", text, payer,
                            balance=balance))  # fmt: skip
    closing_date = start + dt.timedelta(300)
    return BankStatement("bench.xml", ACCOUNT, f"S{lines}", "USD", opening, start, balance, closing_date,
                         tuple(number_occurrences(out)))  # fmt: skip
