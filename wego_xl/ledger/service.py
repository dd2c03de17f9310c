"""The ledger service: what finance does to the book of record (issue invoices, record a
payment, issue a credit note, void a payment, write off a debt, post a sheet of typed
payments), each one transaction that reads, checks, numbers and writes, refusing in one line
what cannot be right. The command line, the Excel scripts and xlwings Server all come here.

Each task has its module: :mod:`.invoicing`, :mod:`.payments`, :mod:`.posting` (the Post
sheet), :mod:`.corrections` (credit notes, voids, write-offs); :mod:`.values` reads what
every entry takes (who acts, the day, text). Their names are all importable from here.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select

from . import schema as t
from .corrections import issue_credit, keep_write_offs_whole, void_payment, write_off
from .invoicing import InvoicePlan, invoice_basis, issue_invoices
from .payments import FieldProblem, PaymentInput, Receipt, read_currency, receipt, record_payment
from .posting import (
    POST_COLUMNS,
    POST_EARLIER,
    POST_OPTIONAL,
    Posted,
    PostingError,
    TypedRow,
    post_columns,
    post_payments,
)
from .store import LedgerStore
from .values import FOUNDED, REFERENCE_LIMIT, TEXT_LIMIT, actor, check_day, plain_text

__all__ = [
    "FOUNDED", "POST_COLUMNS", "POST_EARLIER", "POST_OPTIONAL", "REFERENCE_LIMIT", "TEXT_LIMIT", "FieldProblem",
    "InvoicePlan", "PaymentInput", "Posted", "PostingError", "Receipt", "TypedRow", "actor", "check_day", "counts",
    "invoice_basis", "issue_credit", "issue_invoices", "keep_write_offs_whole", "plain_text", "post_columns",
    "post_payments", "read_currency", "receipt", "record_payment", "void_payment", "write_off",
]  # fmt: skip


def counts(store: LedgerStore) -> Mapping[str, int]:
    """How many entries of each kind the ledger holds."""
    with store.reading() as conn:
        rows = conn.execute(select(t.entries.c.kind, func.count()).group_by(t.entries.c.kind)).all()
    return {kind: n for kind, n in rows}
