"""The bank's commands of ``wego-xl``: ``bank import|review|post|check`` and ``rates import``.
Each parses, calls :mod:`wego_xl.bank` and prints."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli_common import ROSTER_OPTION, UserError
from .cli_ledger import LEDGER_OPTION, _by, _store

MAPPING_OPTION = click.option(
    "--mapping", "mapping", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="A TOML column mapping, for a bank's CSV or Excel export (or a rates file other than the ECB's).",
)  # fmt: skip


@click.group("bank")
def bank_group() -> None:
    """Bank statements: import them, review what waits, post, check the balances."""


@bank_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@MAPPING_OPTION
@ROSTER_OPTION
@LEDGER_OPTION
def bank_import(
    files: tuple[Path, ...], mapping: Path | None, roster_file: Path | None, ledger_file: str | None
) -> None:
    """Import bank statements (camt.053/054, MT940, or a CSV/Excel export with --mapping):
    new lines only; sure matches are posted, the rest waits for 'wego-xl bank review'."""
    from .bank.statement_files import import_statement_files

    roster, store = _store(roster_file, ledger_file)
    done = import_statement_files(store, roster, files, mapping, by=_by("bank import"))
    shown = {m.member_id: m.display_name for m in roster.members}
    click.echo(f"{done.lines_new} new line(s), {done.lines_seen} already imported, from "
               f"{done.statements_new + done.statements_seen} statement(s)")  # fmt: skip
    for line, payment, why in done.posted:
        click.echo(f"  posted {payment.receipt}: {payment.value:,.2f} USD from {shown.get(payment.member_id)} "
                   f"({line.where}): {why}")  # fmt: skip
    for line, receipt in done.linked:
        click.echo(f"  {line.where} is {receipt}, recorded by hand before")
    for waiting in done.waiting:
        click.echo(f"  waits: {waiting.line.where}, {waiting.line.amount:,.2f} {waiting.line.currency} "
                   f"{waiting.line.counterparty!r}: {waiting.proposal.reason}")  # fmt: skip
    if done.waiting:
        click.echo(f"{len(done.waiting)} line(s) wait for a person: 'wego-xl bank review --out review.xlsx'")


@bank_group.command("review")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The review workbook to write.")  # fmt: skip
@ROSTER_OPTION
@LEDGER_OPTION
def bank_review(out: Path, roster_file: Path | None, ledger_file: str | None) -> None:
    """Write a workbook of the bank lines that wait, with what is proposed and why; mark
    Accept (or a Member, Teach payer, Not dues) and post it with 'wego-xl bank post'."""
    from .bank.review import write_review

    if out.exists():
        raise UserError(f"{out} exists: give another --out (a review workbook is written new)")
    if not out.parent.is_dir():
        raise UserError(f"no folder {out.parent} for {out.name}: make it first, or give another --out")
    roster, store = _store(roster_file, ledger_file)
    n = write_review(store, roster, out)
    click.echo(f"{n} line(s) to review in {out}")


@bank_group.command("post")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@ROSTER_OPTION
@LEDGER_OPTION
def bank_post(file: Path, roster_file: Path | None, ledger_file: str | None) -> None:
    """Post the accepted lines of a review workbook, all or nothing."""
    from .bank.review import post_review

    roster, store = _store(roster_file, ledger_file)
    done = post_review(store, roster, file, by=_by("bank post"))
    for p in done.posted:
        click.echo(f"posted {p.receipt}: {p.value:,.2f} USD, credited {p.amount:,.2f} USD to {p.member_id}")
    click.echo(f"{len(done.posted)} posted, {done.set_aside} set aside, {done.taught} payer name(s) taught, "
               f"{done.before} done before")  # fmt: skip


@bank_group.command("check")
@ROSTER_OPTION
@LEDGER_OPTION
def bank_check(roster_file: Path | None, ledger_file: str | None) -> None:
    """The ledger's bank balance against each statement's closing balance, and any gap."""
    from .bank.balances import check_bank

    _, store = _store(roster_file, ledger_file)
    found = check_bank(store)
    for s in found.statements:
        mark = "agrees" if s.agrees else f"DIFFERS by {s.closing - s.ledger:,.2f}"
        click.echo(f"{s.account} {s.number} {s.closing_date}: bank {s.closing:,.2f} {s.currency}, ledger "
                   f"{s.ledger:,.2f} ({mark}); waiting {s.waiting:,.2f}")  # fmt: skip
    for finding in found.findings:
        click.echo(finding)
    if not found.ok:
        sys.exit(1)


@click.group("rates")
def rates_group() -> None:
    """Exchange rates for receipts in other currencies."""


@rates_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@MAPPING_OPTION
@ROSTER_OPTION
@LEDGER_OPTION
def rates_import(file: Path, mapping: Path | None, roster_file: Path | None, ledger_file: str | None) -> None:
    """Import exchange rates: the ECB's reference-rate history (eurofxref-hist.csv) as it is,
    or a daily USD/KRW file (ECOS) through --mapping. A rate is never changed once imported."""
    from .bank.rates import read_rates
    from .ledger.exchange import store_rates

    _, store = _store(roster_file, ledger_file)
    rates = read_rates(file, mapping)
    added, held = store_rates(store, rates)
    sources = ", ".join(sorted({r.source for r in rates})) or "none"
    click.echo(f"{added} rate(s) added, {held} already there (source {sources})")


COMMANDS = [bank_group, rates_group]
