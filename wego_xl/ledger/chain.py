"""The SHA-256 chain: each entry's typed row as the database keeps it, and its hash over the
entry, its record and the hash before it (canonical JSON), recomputed by ``ledger verify``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..rules.ledger import CreditNote, Invoice, Payment, WriteOff
from . import schema as t

GENESIS = "0" * 64


def cents(amount: Decimal) -> int:
    return int(amount * 100)


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def chain_hash(entry: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    """SHA-256 of an entry (without its own hash) and its typed row, in canonical JSON."""
    body = {k: _plain(v) for k, v in entry.items() if k != "hash"}
    body["record"] = {k: _plain(v) for k, v in row.items() if not (v is None and k in t.ADDED_COLUMNS)}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def reference_key(reference: str) -> str:
    """A bank reference as the duplicate guard compares it: Unicode NFKC, case, spaces and
    invisible format characters ignored, every kind of dash a hyphen ("ＲＥＦ 12", "ref12" and
    "REF\u200b12" are the same transfer; so are "KEB-1" and "KEB\u20101")."""
    import unicodedata

    text = unicodedata.normalize("NFKC", reference).casefold()
    text = "".join("-" if unicodedata.category(c) == "Pd" else c for c in text if unicodedata.category(c) != "Cf")
    return "".join(text.split())


def typed_row(record: Any, **extra: Any) -> tuple[str, str, str, Any, dict[str, Any]]:
    """(kind, number, member, table, row) of a record."""
    if isinstance(record, Invoice):
        basis = json.dumps(extra.get("basis") or {}, sort_keys=True, ensure_ascii=False, default=str)
        row = {"number": record.number, "member_id": record.member_id, "fee_year": record.fee_year,
               "issue_date": record.issue_date, "due_date": record.due_date, "amount_cents": cents(record.amount),
               "currency": "USD", "basis": basis}  # fmt: skip
        return "invoice", record.number, record.member_id, t.invoices, row
    if isinstance(record, CreditNote):
        row = {"number": record.number, "invoice_number": record.invoice, "amount_cents": cents(record.amount),
               "date": record.date, "reason": record.reason}  # fmt: skip
        return "credit_note", record.number, extra["member_id"], t.credit_notes, row
    if isinstance(record, Payment):
        reference = extra.get("bank_reference") or None
        row = {"receipt": record.receipt, "member_id": record.member_id, "date_received": record.date,
               "amount_cents": cents(record.amount), "bank_charges_cents": cents(record.bank_charges),
               "bank_reference": reference, "bank_reference_key": reference_key(reference) if reference else None,
               "invoice_number": record.invoice or None, "note": extra.get("note") or "",
               "source_key": extra.get("source_key")}  # fmt: skip
        if record.currency != "USD" or record.exchange_difference:
            row |= {"currency": record.currency, "amount_received": str(record.received),
                    "rate": None if record.rate is None else str(record.rate), "rate_date": record.rate_date,
                    "rate_source": record.rate_source or None,
                    "exchange_difference_cents": cents(record.exchange_difference)}  # fmt: skip
        return "payment", record.receipt, record.member_id, t.payments, row
    if isinstance(record, WriteOff):
        row = {"number": record.number, "invoice_number": record.invoice, "amount_cents": cents(record.amount),
               "date": record.date, "reason": record.reason, "decision": record.decision}  # fmt: skip
        return "write_off", record.number, extra["member_id"], t.write_offs, row
    row = {"number": record.number, "receipt": record.receipt, "date": record.date, "reason": record.reason}
    return "void", record.number, extra["member_id"], t.voids, row
