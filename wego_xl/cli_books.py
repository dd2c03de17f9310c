"""The books' commands of ``wego-xl``: ``journal``, ``close`` and ``write-off``. Each parses,
calls :mod:`wego_xl.books` or the ledger service and prints."""

from __future__ import annotations

from pathlib import Path

import click

from .cli_common import ROSTER_OPTION, UserError, _date_option
from .cli_ledger import LEDGER_OPTION, _by, _store


@click.command()
@click.option("--from", "start", default=None, help="The first day of the period, e.g. 2017-01-01.")
@click.option("--to", "end", default=None, help="The last day of the period, e.g. 2017-12-31.")
@click.option("--batch", "number", type=click.IntRange(min=1), default=None,
              help="Print an exported batch again (the same file as the first time).")  # fmt: skip
@click.option("--format", "form", type=click.Choice(["csv", "beancount"]), default="csv", show_default=True,
              help="CSV (a line per posting) or beancount (checked by bean-check).")  # fmt: skip
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write (default: the screen).")  # fmt: skip
@ROSTER_OPTION
@LEDGER_OPTION
def journal(
    start: str | None, end: str | None, number: int | None, form: str, out: Path | None,
    roster_file: Path | None, ledger_file: str | None,
) -> None:  # fmt: skip
    """The ledger's events as balanced double-entry transactions for the books, in numbered
    batches: an event is exported once, and what changes after is booked as an adjustment in
    the next batch; the same period again, or --batch N, prints the same batch."""
    from .books.journal import export_journal
    from .books.journal_files import as_beancount, as_csv
    from .books.journal_run import adjustments, batch_again

    if out is not None and not out.parent.is_dir():
        raise UserError(f"no folder {out.parent} for {out.name}: make it first")
    roster, store = _store(roster_file, ledger_file)
    if number is not None:
        if start or end:
            raise UserError("--batch prints a batch as it was exported: give it without --from and --to")
        found = batch_again(store, number)
    else:
        if not (start and end):
            raise UserError("say which period: --from 2017-01-01 --to 2017-12-31 (or --batch N to print one again)")
        first, last = _date_option(start, "--from"), _date_option(end, "--to")
        made = export_journal(store, roster, first, last, by=_by("journal"))
        if made is None:
            click.echo(f"nothing new through {last}, and no batch of {first} to {last}: every event is in an "
                       "earlier batch as the ledger has it", err=True)  # fmt: skip
            return
        found = made
    text = as_beancount(found) if form == "beancount" else as_csv(found)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
    said = "the same batch as before" if found.again else "a new batch"
    adjusted = adjustments(found)
    click.echo(f"batch {found.batch} ({said}): {len(found.transactions)} transaction(s) from {found.start} to "
               f"{found.end}" + (f", {adjusted} of them adjustment(s) to earlier batches" if adjusted else "")
               + (f", written to {out}" if out else ""), err=True)  # fmt: skip


@click.command()
@click.option("--through", required=True, help="The last day of the period to close, e.g. 2017-12-31.")
@click.option("--by", "closed_by", required=True, help="Who closes it (recorded).")
@click.option("--note", default="", help="A note kept with the lock, e.g. the auditors' sign-off.")
@click.option("--anyway", is_flag=True, help="Close over bank lines that wait and events not in the journal.")
@ROSTER_OPTION
@LEDGER_OPTION
def close(
    through: str, closed_by: str, note: str, anyway: bool, roster_file: Path | None, ledger_file: str | None
) -> None:
    """Close a period: no entry dated on or before --through is posted after this, by any
    command, script or typed row; corrections go into the open period."""
    from .books.closing import close_period

    roster, store = _store(roster_file, ledger_file)
    day = _date_option(through, "--through")
    unsettled = close_period(store, roster, day, closed_by, anyway=anyway, note=note)
    click.echo(f"closed through {day} by {closed_by}" + (f" (over: {unsettled})" if unsettled else ""))


@click.command("write-off")
@click.argument("invoice_number")
@click.option("--reason", required=True, help="Why the debt will not be paid.")
@click.option("--decision", required=True, help='The decision that writes it off, e.g. "EC 2018-3".')
@click.option("--amount", default=None, help="Part of what is open (default: all of it), in USD.")
@click.option("--date", "date", default=None, help="The write-off's date (default: today).")
@ROSTER_OPTION
@LEDGER_OPTION
def write_off(
    invoice_number: str, reason: str, decision: str, amount: str | None, date: str | None,
    roster_file: Path | None, ledger_file: str | None,
) -> None:  # fmt: skip
    """Write off what INVOICE_NUMBER leaves open as bad debt, by a decision: an entry of its
    own (never a credit note), in the journal and on statements."""
    from .ledger.service import write_off as write_it_off

    _, store = _store(roster_file, ledger_file)
    on = _date_option(date, "--date") if date else None
    entry, left = write_it_off(store, invoice_number, reason, decision, by=_by("write-off"), amount=amount, date=on)
    click.echo(f"{entry.number}: {entry.amount:,.2f} USD of {invoice_number} written off on {entry.date} "
               f"({entry.decision}: {entry.reason}); it leaves {left:,.2f} USD open")  # fmt: skip


COMMANDS = [journal, close, write_off]
