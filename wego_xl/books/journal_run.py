"""A journal batch as ``wego-xl journal`` prints it: a new batch of a period, or a batch
exported before printed again (the same batch, the same file), and how many of its
transactions adjust earlier batches."""

from __future__ import annotations

from ..ledger.store import LedgerStore
from .journal import Journal, printed_batch


def batch_again(store: LedgerStore, number: int) -> Journal:
    """Batch ``number`` as it was exported, to print again: the same batch as before."""
    found = printed_batch(store, number)
    found.again = True
    return found


def adjustments(batch: Journal) -> int:
    """How many of the batch's transactions are adjustments to earlier batches."""
    return sum(1 for tx in batch.transactions if tx.kind == "adjustment")
