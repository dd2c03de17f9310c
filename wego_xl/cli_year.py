"""The year-end commands of ``wego-xl``: ``aging`` (open amounts by days past due, per
member) and ``year-end`` (the auditor's pack). Each parses, calls :mod:`wego_xl.books` and
prints."""

from __future__ import annotations

from pathlib import Path

import click

from .cli_common import JSON_OPTION, LANG_OPTION, ROSTER_OPTION, _console, _date_option, _emit, _table
from .cli_ledger import LEDGER_OPTION, _store


@click.command()
@click.option("--as-of", default=None, help="The date the days past due are counted to (default: today).")
@ROSTER_OPTION
@LEDGER_OPTION
@JSON_OPTION
def aging(as_of: str | None, roster_file: Path | None, ledger_file: str | None, as_json: bool) -> None:
    """Per member, the open amounts by days past due: not yet due, 1-30, 31-90, 91-365, over
    a year; the member's credit apart; the totals. Members with nothing open are left out."""
    from .books.aging import BUCKET_NAMES
    from .books.aging import aging as aging_of

    roster, store = _store(roster_file, ledger_file)
    day = _date_option(as_of, "--as-of")
    found = aging_of(store.load(), day)
    names = {m.member_id: m.display_name for m in roster.members}
    totals = found.totals()
    if as_json:
        _emit({
            "as_of": day.isoformat(),
            "ledger": store.shown,
            "buckets": list(BUCKET_NAMES),
            "members": [{"member_id": m.member_id, "member": names.get(m.member_id, m.member_id),
                         **{b: str(m.buckets[b]) for b in BUCKET_NAMES}, "open": str(m.open),
                         "credit": str(m.credit), "balance": str(m.balance)} for m in found.members],
            "totals": {k: str(v) for k, v in totals.items()},
        })  # fmt: skip
        return
    columns = ("Member", *BUCKET_NAMES, "Open", "Credit", "Balance")
    rows = [[names.get(m.member_id, m.member_id), *(f"{m.buckets[b]:,.2f}" for b in BUCKET_NAMES),
             f"{m.open:,.2f}", f"{m.credit:,.2f}", f"{m.balance:,.2f}"] for m in found.members]  # fmt: skip
    rows.append([f"Total ({len(found.members)})", *(f"{totals[b]:,.2f}" for b in BUCKET_NAMES),
                 f"{totals['open']:,.2f}", f"{totals['credit']:,.2f}", f"{totals['balance']:,.2f}"])  # fmt: skip
    console = _console()  # piped or redirected: every figure whole, never cut to 80 columns
    console.print(_table(f"Aging on {day}, USD ({store.shown})", columns, rows))


@click.command("year-end")
@click.argument("year", type=int)
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The folder to write the pack into (default: year-end-YEAR).")  # fmt: skip
@click.option("--pdf", is_flag=True, help="Also save the letters and the workbook as PDF (LibreOffice).")
@click.option("--templates", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of confirmation.docx (default: templates/ beside the roster, else the shipped one).")  # fmt: skip
@LANG_OPTION
@ROSTER_OPTION
@LEDGER_OPTION
@JSON_OPTION
def year_end(
    year: int, out: Path | None, pdf: bool, templates: Path | None, language: str | None, roster_file: Path | None,
    ledger_file: str | None, as_json: bool,
) -> None:  # fmt: skip
    """The auditor's pack for the calendar YEAR: year-end-YEAR.xlsx (roll-forward of the
    receivables, aging on 31 December, collections, audit trail, journal) and a balance
    confirmation letter, in two languages (--lang first), for each member with a balance on
    31 December. The roll-forward is proved against the ledger before anything is written."""
    from .books.year_end_run import check_pack_year, year_end_pack

    check_pack_year(year, "YEAR")
    roster, store = _store(roster_file, ledger_file)
    made = year_end_pack(store, roster, year, out, language=language or roster.language, templates=templates, pdf=pdf)
    pack, folder, pdfs = made.pack, made.folder, made.pdfs
    r = pack.roll_forward
    if as_json:
        _emit({
            "year": year, "ledger": store.shown, "workbook": str(pack.workbook),
            "letters": [str(p) for p in pack.letters], "pdf": [str(p) for p in pdfs],
            "roll_forward": {k: str(getattr(r, k)) for k in ("opening", "invoiced", "credited", "collected",
                             "bank_charges", "exchange_differences", "written_off", "voids", "closing", "balances")},
        })  # fmt: skip
        return
    for label, amount in r.lines():
        click.echo(f"  {label}: {amount:,.2f}")
    for path in [pack.workbook, *pack.letters, *pdfs]:
        click.echo(f"written: {path}")
    click.echo(f"year end {year}: closing {r.closing:,.2f} USD = the sum of the balances; "
               f"{len(pack.letters)} confirmation letter(s) in {folder}")  # fmt: skip


#: The commands this module adds to ``wego-xl``.
COMMANDS = [aging, year_end]
