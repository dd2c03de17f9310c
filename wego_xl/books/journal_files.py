"""A journal batch written for the books: CSV (a line per posting, debits and credits apart) or
beancount, a file that stands alone (its accounts opened, the balances of earlier batches
carried in, its transactions, the balance assertions it closes with) and that beancount's own
``bean-check`` proves."""

from __future__ import annotations

import csv
import io

from ..rules.journal import Account
from .journal import Journal

CSV_COLUMNS = ["Batch", "Transaction", "Date", "Entry", "Member", "Narration", "Account code", "Account",
               "Debit (USD)", "Credit (USD)", "Debit (KRW)", "Credit (KRW)", "Rate"]  # fmt: skip


def rows_of(journal: Journal) -> list[dict[str, object]]:
    """One row per posting, debits and credits apart."""
    rows: list[dict[str, object]] = []
    for n, tx in enumerate(journal.transactions, start=1):
        batch = tx.batch or journal.batch
        for p in tx.postings:
            rows.append({"Batch": batch or "", "Transaction": f"{batch}-{tx.number or n}" if batch else "",
                         "Date": tx.date.isoformat(), "Entry": tx.reference, "Member": tx.member,
                         "Narration": tx.narration, "Account code": p.account.code, "Account": p.account.name,
                         "Debit (USD)": f"{p.usd:.2f}" if p.usd > 0 else "",
                         "Credit (USD)": f"{-p.usd:.2f}" if p.usd < 0 else "",
                         "Debit (KRW)": f"{p.krw:.0f}" if p.krw > 0 else "",
                         "Credit (KRW)": f"{-p.krw:.0f}" if p.krw < 0 else "", "Rate": str(tx.rate)})  # fmt: skip
    return rows


def as_csv(journal: Journal) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows_of(journal))
    return out.getvalue()


def as_beancount(journal: Journal) -> str:
    """The batch as a beancount file that stands alone: its accounts opened, the balances of
    the earlier batches carried in, the transactions, and the balance assertions."""
    accounts: dict[str, Account] = {a.name: a for a, _ in journal.opening.values()}
    for tx in journal.transactions:
        accounts.update({p.account.name: p.account for p in tx.postings})
    accounts.update({a.name: a for _, a, _ in journal.assertions})
    out = [f'option "title" "WeGO dues ledger: journal batch {journal.batch}, {journal.start} to {journal.end}"',
           'option "operating_currency" "USD"', ""]  # fmt: skip
    out += [f'2010-01-01 open {name} USD\n  code: "{a.code}"' for name, a in sorted(accounts.items())]
    carried = [(a, usd) for a, usd in journal.opening.values() if usd]
    if carried:
        out += ["", f'{journal.start} * "Balances carried in: the journal\'s earlier batches"']
        out += [f"  {a.name:<44} {usd:>14.2f} USD" for a, usd in sorted(carried, key=lambda x: x[0].name)]
    for tx in journal.transactions:
        member = f'"{_quoted(tx.member)}" ' if tx.member else ""
        out += ["", f'{tx.date} * {member}"{_quoted(tx.narration)}"', f'  entry: "{_quoted(tx.reference)}"',
                f'  event: "{tx.event}"', f'  rate-krw: "{tx.rate}"']  # fmt: skip
        if tx.kind != "event":
            out.append(f'  kind: "{tx.kind}"')
        if tx.dated is not None and tx.dated != tx.date:
            out.append(f"  dated: {tx.dated}")
        for p in tx.postings:
            out += [f"  {p.account.name:<44} {p.usd:>14.2f} USD", f'    krw: "{p.krw:.0f}"']
    out.append("")
    out += [f"{day} balance {a.name:<44} {amount:>14.2f} USD" for day, a, amount in journal.assertions]
    return "\n".join(out) + "\n"


def _quoted(text: str) -> str:
    return " ".join(str(text).split()).replace("\\", "/").replace('"', "'")
