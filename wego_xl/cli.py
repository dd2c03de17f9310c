"""The ``wego-xl`` command line: the same rules and roster as the Excel functions.

Exit codes: 0 done; 1 problems found in the data; 2 a usage or file error. A user's
mistake prints one line, never a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .cli_bank import COMMANDS as BANK_COMMANDS
from .cli_books import COMMANDS as BOOKS_COMMANDS
from .cli_common import (
    DRY_RUN_OPTION,
    JSON_OPTION,
    LANG_OPTION,
    ROSTER_OPTION,
    _Commands,
    _console,
    _date_option,
    _emit,
    _output_failed,
    _table,
)
from .cli_ledger import COMMANDS as LEDGER_COMMANDS
from .cli_ledger import LEDGER_OPTION, _store
from .cli_roster import COMMANDS as ROSTER_COMMANDS
from .cli_year import COMMANDS as YEAR_COMMANDS

#: The fields of a check, as the Checks sheet's columns.
CHECK_FIELDS = ("severity", "sheet", "row", "column", "problem", "fix")


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wego-xl")
def main() -> None:
    """WeGO membership fees: the fee table, the roster, and the refresh of the roster workbook."""


@main.command()
@click.argument("population")
@click.argument("gdp_per_capita")
@click.option("--fee-year", default=None, help="Fee year choosing the fee table (default: this year).")
@ROSTER_OPTION
@JSON_OPTION
def fee(population: str, gdp_per_capita: str, fee_year: str | None, roster_file: Path | None, as_json: bool) -> None:
    """The annual fee for a POPULATION (persons) and GDP_PER_CAPITA (PPP, USD).

    Example: wego-xl fee 970000 35379
    """
    import datetime as dt

    from .excel.worksheet import GDP, POPULATION
    from .rules.fees import schedule_in_effect
    from .rules.inputs import read_amount, read_fee_year
    from .workbook.roster import load_roster

    pop = read_amount(population, *POPULATION)
    gdp = read_amount(gdp_per_capita, *GDP)
    year = read_fee_year(fee_year) if fee_year else dt.date.today().year
    quote = schedule_in_effect(year, load_roster(roster_file).schedules).quote(pop, gdp)
    if as_json:
        _emit(
            {
                "fee": quote.fee,
                "currency": "USD",
                "population": pop,
                "gdp_per_capita": gdp,
                "population_band": quote.population_band.label,
                "gdp_band": quote.gdp_band.label,
                "schedule_year": quote.schedule_year,
            }
        )
        return
    click.echo(f"Fee: {quote.fee:,.0f} USD ({quote.schedule_year} fee table)")
    click.echo(f"Population: {pop:,.0f} persons, band {quote.population_band.label}")
    click.echo(f"GDP (PPP) per capita: {gdp:,.2f} USD, band {quote.gdp_band.label}")


@main.command()
@click.argument("name")
@click.option("--fee-year", default=None, help="Also say whether a fee is owed for this year.")
@click.option("--as-of", default=None, help="The status on this date (default: now).")
@click.option("--history", "with_history", is_flag=True, help="The member's full story, from the History sheet.")
@ROSTER_OPTION
@JSON_OPTION
def status(
    name: str, fee_year: str | None, as_of: str | None, with_history: bool, roster_file: Path | None, as_json: bool
) -> None:
    """A member's status, names, country, region and capital flag. NAME: Korean, English or alias."""
    import datetime as dt

    from .rules.history import standing_on
    from .rules.inputs import read_fee_year
    from .rules.membership import MembershipType
    from .workbook.assessment import assess
    from .workbook.roster import load_roster

    roster = load_roster(roster_file)
    m = roster.find(name)
    a = assess(roster, m, read_fee_year(fee_year)) if fee_year else None
    day = _date_option(as_of, "--as-of") if as_of else None
    standing = standing_on(roster.history, m.member_id, day or dt.date.today(), m.membership)
    story = [c for c in roster.history if c.member_id == m.member_id]
    capital = {True: "capital", False: "non-capital", None: "n/a (organisation)"}[m.capital]
    info: dict[str, Any] = {
        "member_id": m.member_id,
        "status": m.membership.english,
        "status_ko": m.membership.korean,
        "name_en": m.name_en,
        "name_ko": m.name_ko,
        "aliases": list(m.aliases),
        "country": m.country,
        "country_code": m.country_iso3,
        "region": m.region,
        "capital": capital,
        "full_since": m.full_since,
        "population": m.population,
        "notes": m.notes,
    }
    info["status_on_date"] = standing.label()
    if with_history:
        info["history"] = [
            {"what": c.what, "from": c.before, "to": c.after, "effective": c.effective, "decision": c.decision,
             "entered_by": c.entered_by, "entered_at": c.entered_at}
            for c in story
        ]  # fmt: skip
    if a:
        info.update(
            fee_year=a.fee_year,
            fee_owed=a.due.owed,
            reason=a.due.reason,
            fee=a.amount_owed,
            missing=[str(item) for item in a.missing],
        )
    if as_json:
        _emit(info)
        return
    click.echo(f"{m.name_en} ({m.name_ko}) [{m.member_id}]")
    member_word = (
        " member"
        if standing.status in (MembershipType.FULL, MembershipType.ASSOCIATE, MembershipType.FRIENDSHIP)
        else ""
    )
    shown = f"{standing.label()}{member_word} ({standing.label('ko')})"
    click.echo(f"  Status on {day}: {shown}" if day is not None else f"  Status:  {shown}")
    click.echo(f"  Country: {m.country} ({m.country_iso3}); region {m.region}; {capital}")
    if m.aliases:
        click.echo(f"  Also:    {'; '.join(m.aliases)}")
    if m.notes:
        click.echo(f"  Notes:   {m.notes}")
    if a:
        click.echo(f"  {a.explain()}")
    if with_history:
        click.echo("  History:" if story else "  History: none recorded")
        for c in story:
            when = c.effective.isoformat() if c.effective else "date unknown"
            click.echo(
                f"    {when}  {c.what}: {c.before or '-'} -> {c.after}  ({c.decision or 'no decision recorded'}; "
                f"entered by {c.entered_by or '?'}{' on ' + c.entered_at.isoformat() if c.entered_at else ''})"
            )


@main.command()
@ROSTER_OPTION
@JSON_OPTION
def roster(roster_file: Path | None, as_json: bool) -> None:
    """Counts by region, capital status and membership type, beside the 2016 source's totals."""
    from .workbook.roster import load_roster
    from .workbook.summary import roster_summary

    by_region, by_type = roster_summary(load_roster(roster_file))
    if as_json:
        _emit(
            {
                "regions": [r.__dict__ | {"reconciles": r.reconciles} for r in by_region],
                "membership": [r.__dict__ | {"reconciles": r.reconciles} for r in by_type],
            }
        )
    else:
        console = _console()
        console.print(
            _table(
                "Cities by region",
                ("Region", "Capitals", "Non-capitals", "Cities", "2016 source", "Matches"),
                [
                    [
                        r.label,
                        str(r.capitals),
                        str(r.non_capitals),
                        str(r.total),
                        str(r.source_total),
                        "yes" if r.reconciles else "NO",
                    ]
                    for r in by_region
                ],
            )
        )
        console.print(
            _table(
                "Members by type",
                ("Membership", "Members", "2016 source", "Matches"),
                [[r.label, str(r.total), str(r.source_total), "yes" if r.reconciles else "NO"] for r in by_type],
            )
        )
    if not all(r.reconciles for r in by_region + by_type):
        sys.exit(1)


@main.command()
@click.option("--fee-year", default=None, help="The fee year to check for (default: this year).")
@ROSTER_OPTION
@LANG_OPTION
@JSON_OPTION
def check(fee_year: str | None, roster_file: Path | None, language: str | None, as_json: bool) -> None:
    """Everything the refresh would report for a fee year, in the same words, before billing.

    Severities: error (cannot be right: fix it), missing (a blank input a fee needs),
    confirm (possible but unlikely: confirm or correct), note. The fee table's own steps
    are reported once, as published. Exit 1 while any error is left.
    """
    import datetime as dt

    from .excel.writers import invoiced_in_ledger
    from .rules.fees import schedule_findings
    from .rules.inputs import read_fee_year
    from .workbook.checks import count_by_severity
    from .workbook.report import year_findings
    from .workbook.roster import load_roster

    r = load_roster(roster_file)
    year = read_fee_year(fee_year) if fee_year else dt.date.today().year
    _, findings = year_findings(r, year, invoiced_in_ledger(r, year))  # the refresh's own list, invoices included
    table_notes = [f"{s.effective_year} table: {f}" for s in r.schedules for f in schedule_findings(s)]
    counts = count_by_severity(findings)
    lang = language or r.language
    if as_json:
        _emit(
            {
                "fee_year": year,
                "checks": [dict(zip(CHECK_FIELDS, f.as_row(lang), strict=True)) for f in findings],
                "counts": counts,
                "fee_table_notes": table_notes,
            }
        )
    else:
        for f in findings:
            click.echo(f.text(lang))
        for note in table_notes:
            click.echo(f"fee table (applied as published): {note}")
        click.echo(
            f"{r.path.name}, fee year {year}: "
            + ", ".join(f"{n} {severity}" for severity, n in counts.items())
            + f"; {len(table_notes)} note(s) on the fee table"
        )
    if counts["error"]:
        sys.exit(1)


@main.command()
@click.argument("roster_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--fee-year", required=True, help="The fee year to refresh, e.g. 2016.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of updating ROSTER_FILE in place.",
)
@DRY_RUN_OPTION
@LANG_OPTION
@JSON_OPTION
def refresh(
    roster_file: Path | None, fee_year: str, out: Path | None, dry_run: bool, language: str | None, as_json: bool
) -> None:
    """Write the Summary, Fees YYYY and Checks sheets for a fee year into the roster workbook.

    Only those three sheets are replaced. The file is locked while it is read and written,
    written atomically, the previous version is kept in .wego-backups/ beside it, and
    nothing is written while Excel has it open.
    The roster shipped in the package is never changed: give --out, or run 'wego-xl init'.
    Exit 1 when the Checks sheet lists errors in the data.
    """
    from rich.progress import Progress

    from .excel.writers import refresh_file
    from .rules.inputs import read_fee_year
    from .workbook.report import next_steps
    from .workbook.roster import roster_path

    source = roster_path(roster_file)
    console = _console()
    year = read_fee_year(fee_year)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("Assessing members", total=None)
        report, saved = refresh_file(
            source, year, out, dry_run=dry_run, progress=lambda n: bar.advance(task, n), language=language
        )
    target = saved.target
    owing = [a for a in report.assessments if a.due.owed]
    errors = report.check_rows("error")
    counts = report.counts  # counted as check counts them
    if as_json:
        _emit(
            {
                "file": str(target),
                "fee_year": year,
                "members": len(report.assessments),
                "owing": len(owing),
                "fees_computed": len(owing) - len(report.not_computable),
                "total_owed": report.total_owed,
                "cannot_compute": len(report.not_computable),
                "errors": len(errors),
                "checks": len(report.checks),
                "counts": counts,
                **_saved_json(saved),
            }
        )
    else:
        console.print(
            _table(
                f"Fee year {year}: {target}",
                ("Region", "Members owing", "Fees computed", "Total owed (USD)", "Cannot compute yet"),
                [[row[0], str(row[1]), str(row[2]), f"{row[3]:,.0f}", str(row[4])] for row in report.fees_by_region],
            )
        )
        console.print(
            f"Checks: {counts['error']} error(s), {counts['missing']} missing input(s), "
            f"{counts['confirm']} to confirm, {counts['note']} note(s): see the Checks sheet."
        )
        for line in next_steps(report):  # what to do next, as the application works it out
            click.echo(line)
        _print_saved(saved)
    if errors:
        sys.exit(1)


def _saved_json(saved: Any) -> dict[str, Any]:
    return {
        "written": saved.written,
        "backup": str(saved.backup) if saved.backup else None,
        "replaced_sheets": saved.replaced_sheets,
        "added_sheets": saved.added_sheets,
        "warnings": saved.warnings,
    }


def _print_saved(saved: Any) -> None:
    """What the write did (or, for a dry run, would do) to the file."""
    sheets = "; ".join(
        part
        for part in (
            f"replaces {', '.join(saved.replaced_sheets)}" if saved.replaced_sheets else "",
            f"adds {', '.join(saved.added_sheets)}" if saved.added_sheets else "",
        )
        if part
    )
    if not saved.written:
        click.echo(f"Dry run: nothing written. Writing {saved.target} would {sheets or 'change nothing'}.")
    elif saved.backup:
        click.echo(f"Written. The previous version is kept as {saved.backup}.")
    for warning in saved.warnings:
        click.echo(f"warning: {warning}")


@main.command()
@click.option("--fee-year", required=True, help="The fee year whose invoices the documents are for, e.g. 2017.")
@click.option(
    "--kind",
    "kinds",
    type=click.Choice(["invoice", "statement", "reminder"]),
    multiple=True,
    help="Which documents (repeatable; default: all three). A reminder only for amounts past due.",
)
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("documents"),
              show_default=True, help="The folder to write the documents into.")  # fmt: skip
@click.option("--as-of", default=None, help="The date of the statements and reminders (default: today).")
@click.option("--templates", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of invoice.docx, statement.docx, reminder.docx, confirmation.docx (default: templates/ beside the roster, "
                   "else the shipped ones).")  # fmt: skip
@click.option("--pdf", is_flag=True, help="Also save each document as PDF (LibreOffice, fonts embedded).")
@click.option("--replace", is_flag=True, help="Write again documents that exist (default: keep them).")
@click.option("--member", "members", multiple=True, help="Only this member (name or id; repeatable).")
@LANG_OPTION
@ROSTER_OPTION
@LEDGER_OPTION
@JSON_OPTION
def documents(
    fee_year: str, kinds: tuple[str, ...], out: Path, as_of: str | None, templates: Path | None, pdf: bool,
    replace: bool, members: tuple[str, ...], language: str | None, roster_file: Path | None,
    ledger_file: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Write invoices, statements and reminders for the members invoiced for FEE_YEAR, in two
    languages (--lang first), from the ledger and the roster's Settings sheet.

    One Word file per member and kind, named by invoice number and member, e.g.
    WEGO-2017-001_Seoul_invoice.docx; --pdf adds a PDF of each. A file that exists is kept.
    """
    from .rules.inputs import read_fee_year
    from .workbook.documents import KINDS, lacking_pdf, to_pdf, write_documents

    roster, store = _store(roster_file, ledger_file)
    book = store.load()
    year = read_fee_year(fee_year)
    day = _date_option(as_of, "--as-of")
    run = write_documents(roster, book, year, kinds or KINDS, out, language=language or roster.language, as_of=day,
                          templates=templates, replace=replace, members=members)  # fmt: skip
    pdfs = to_pdf(lacking_pdf(out), out) if pdf else []  # also those a failed --pdf left without one
    if as_json:
        _emit({"written": [str(p) for p in run.written], "pdf": [str(p) for p in pdfs],
               "kept": [str(p) for p in run.kept], "none_for": run.none_for})  # fmt: skip
        return
    for path in run.written + pdfs:
        click.echo(f"written: {path}")
    for path in run.kept:
        click.echo(f"kept (exists; --replace to write again): {path}")
    for who, why in run.none_for.items():
        click.echo(f"no document: {who}: {why}")
    click.echo(f"{len(run.written)} document(s) written to {out}" + (f", {len(pdfs)} PDF" if pdf else ""))


@main.command()
@click.argument("folder", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@JSON_OPTION
def init(folder: Path, as_json: bool) -> None:
    """Copy the shipped roster and finance workbook into FOLDER (default: here) to work on.

    Files already there are kept, never overwritten. Then point the functions and commands
    at the roster with the WEGO_ROSTER environment variable.
    """
    from .workbook.package import ROSTER_ENV, SHIPPED_ROSTER, copy_shipped

    copied, kept = copy_shipped(folder)
    roster_file = (folder / SHIPPED_ROSTER.name).resolve()
    if as_json:
        _emit(
            {
                "folder": str(folder.resolve()),
                "copied": [str(p) for p in copied],
                "kept": [str(p) for p in kept],
                "roster": str(roster_file),
            }
        )
        return
    for p in copied:
        click.echo(f"copied {p}")
    for p in kept:
        click.echo(f"kept   {p} (already there; not overwritten)")
    click.echo("Next: point wego-xl and the Excel functions at your roster:")
    click.echo(f'  Windows:       setx {ROSTER_ENV} "{roster_file}"')
    click.echo(f'  macOS / Linux: export {ROSTER_ENV}="{roster_file}"')


for _command in ROSTER_COMMANDS + LEDGER_COMMANDS + BANK_COMMANDS + BOOKS_COMMANDS + YEAR_COMMANDS:
    main.add_command(_command)


def command_line_text(arg: str) -> str:
    """An argument as typed: under a locale that is not UTF-8 (LC_ALL=C, a Latin-1 locale)
    Python decodes a UTF-8 argument such as 서울 byte by byte (as surrogate escapes, or as
    Latin-1 letters); its bytes are decoded again as UTF-8 when they are UTF-8, else kept."""
    if arg.isascii():
        return arg
    try:
        return os.fsencode(arg).decode("utf-8")
    except (UnicodeError, ValueError):
        return arg


def entry() -> None:
    """The ``wego-xl`` command: :func:`main`, then the output flushed; an output that cannot
    be written (a full disk, a closed pipe) is one line on stderr and exit 2."""
    code: int | str | None = 0
    try:
        main(args=[command_line_text(arg) for arg in sys.argv[1:]])
    except SystemExit as done:
        code = done.code
    try:
        sys.stdout.flush()
    except OSError as exc:
        click.echo(f"wego-xl: {_output_failed(exc)}", err=True)
        code = 2
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
