"""Exchange rates in the ledger: imported once per currency, day and source (never changed),
and the rate a receipt in another currency is converted at."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Connection, select

from ..app.settings import BankSettings
from ..errors import InputError
from ..rules.bank import Rate, rate_for
from . import schema as t
from .store import LedgerStore, stamp, stored_day


def store_rates(store: LedgerStore, rates: Iterable[Rate]) -> tuple[int, int]:
    """Add the rates the ledger lacks; returns (added, already there). A rate the ledger holds
    for the same currency, day and source with another value is refused (nothing added)."""
    rates = list(rates)
    now = stamp()
    with store.writing() as conn:
        held: dict[tuple[str, dt.date, str], str] = {}
        for currency in sorted({r.currency for r in rates}):
            query = select(t.rates.c.day, t.rates.c.source, t.rates.c.per_usd).where(t.rates.c.currency == currency)
            for day, source, per_usd in conn.execute(query):
                held[(currency, stored_day(day), source)] = per_usd
        new = []
        for rate in rates:
            key = (rate.currency, rate.day, rate.source)
            if key in held:
                if Decimal(held[key]) != rate.per_usd:
                    raise InputError(
                        f"the ledger holds {rate.currency} {held[key]} per USD on {rate.day} from {rate.source}, the "
                        f"file says {rate.per_usd}: a rate is never changed; check the file"
                    )
                continue
            held[key] = str(rate.per_usd)
            new.append({"currency": rate.currency, "day": rate.day, "source": rate.source,
                        "per_usd": str(rate.per_usd), "imported_at": now})  # fmt: skip
        for start in range(0, len(new), 5000):
            conn.execute(t.rates.insert(), new[start : start + 5000])
    return len(new), len(rates) - len(new)


def rate_on(conn: Connection, currency: str, day: dt.date, bank: BankSettings) -> tuple[Rate, bool]:
    """The rate a receipt of ``day`` in ``currency`` converts at (the Settings' source), and
    whether it is an earlier day's; none is an error naming the date and the source."""
    since = day - dt.timedelta(days=bank.rate_fallback_days)
    query = select(t.rates.c.day, t.rates.c.per_usd).where(
        t.rates.c.currency == currency, t.rates.c.source == bank.rate_source, t.rates.c.day.between(since, day)
    )
    found = {stored_day(d): Rate(currency, stored_day(d), Decimal(v), bank.rate_source) for d, v in conn.execute(query)}
    try:
        return rate_for(found, currency, day, fallback_days=bank.rate_fallback_days)
    except InputError as exc:
        raise InputError(f"{exc} (rate source: {bank.rate_source}, from the Settings sheet)") from None
