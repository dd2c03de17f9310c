"""The ``wego-xl`` command line: the same rules and roster as the Excel functions.

Exit codes: 0 done; 1 problems found in the data; 2 a usage or file error. A user's
mistake prints one line, never a traceback.
"""

from __future__ import annotations

import contextlib
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
    UserError,
    _Commands,
    _console,
    _date_option,
    _emit,
    _output_failed,
    _table,
)
from .cli_documents import COMMANDS as DOCUMENTS_COMMANDS
from .cli_ledger import COMMANDS as LEDGER_COMMANDS
from .cli_roster import COMMANDS as ROSTER_COMMANDS
from .cli_year import COMMANDS as YEAR_COMMANDS
from .excel.hosts import quiet_openpyxl


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wego-xl")
def main() -> None:
    """WeGO membership fees: the fee table, the roster, and the refresh of the roster workbook."""
    quiet_openpyxl()


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
    from .app.quotes import fee_year_or_this_year, quote_fee
    from .excel.worksheet import GDP, POPULATION
    from .rules.inputs import read_amount
    from .store.roster import load_roster

    pop = read_amount(population, *POPULATION)
    gdp = read_amount(gdp_per_capita, *GDP)
    year = fee_year_or_this_year(fee_year)
    quote = quote_fee(load_roster(roster_file), pop, gdp, year)
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
    from .app.member_status import member_status
    from .rules.inputs import read_fee_year
    from .store.roster import load_roster

    roster = load_roster(roster_file)
    m = roster.find(name)
    year = read_fee_year(fee_year) if fee_year else None
    day = _date_option(as_of, "--as-of") if as_of else None
    found = member_status(roster, m, year, day)
    if as_json:
        _emit(found.record(with_history))
        return
    _print_status(found, with_history)


def _print_status(found: Any, with_history: bool) -> None:
    """A member's status (:class:`~.app.member_status.MemberStatus`) for a person."""
    m, standing, day = found.member, found.standing, found.day
    click.echo(f"{m.name_en} ({m.name_ko}) [{m.member_id}]")
    shown = f"{standing.label()}{' member' if found.counts_as_member else ''} ({standing.label('ko')})"
    click.echo(f"  Status on {day}: {shown}" if day is not None else f"  Status:  {shown}")
    click.echo(f"  Country: {m.country} ({m.country_iso3}); region {m.region}; {found.capital}")
    if m.aliases:
        click.echo(f"  Also:    {'; '.join(m.aliases)}")
    if m.notes:
        click.echo(f"  Notes:   {m.notes}")
    if found.assessment:
        click.echo(f"  {found.assessment.explain()}")
    if with_history:
        click.echo("  History:" if found.story else "  History: none recorded")
        for c in found.story:
            when = c.effective.isoformat() if c.effective else "date unknown"
            click.echo(
                f"    {when}  {c.what}: {c.before or '-'} -> {c.after}  ({c.decision or 'no decision recorded'}; "
                f"entered by {c.entered_by or '?'}{' on ' + c.entered_at.isoformat() if c.entered_at else ''})"
            )


@main.command()
@click.option("--as-of", default=None, help="The counts on this date (default: today), from the History sheet.")
@click.option(
    "--compare-2016",
    "compare",
    is_flag=True,
    help="Compare the roster as it stood on 2016-01-01 with the 2016 source's totals; exit 1 where they differ.",
)
@ROSTER_OPTION
@LANG_OPTION
@JSON_OPTION
def roster(
    as_of: str | None, compare: bool, roster_file: Path | None, language: str | None, as_json: bool
) -> None:  # fmt: skip
    """Counts by region, capital status and membership type, and the changes recorded since
    the 2016 source (joined, upgraded, withdrawn, renamed, with their decisions).

    With --compare-2016, the counts of 2016-01-01 beside the source's totals instead: exit 1
    where they differ.
    """
    from .app.roster_overview import roster_overview
    from .store.roster import load_roster

    if compare and as_of:
        raise UserError("--compare-2016 compares the roster of 2016-01-01: give it without --as-of")
    book = load_roster(roster_file)
    view = roster_overview(book, None if compare else _date_option(as_of, "--as-of"), compare=compare)
    if as_json:
        _emit(_roster_json(view))
    else:
        _print_roster(view, language or book.language)
    if compare and not view.reconciles:
        sys.exit(1)


def _roster_json(view: Any) -> dict[str, Any]:
    """The roster's counts and changes (:class:`~.app.roster_overview.RosterOverview`) for ``--json``."""
    compare = view.compared

    def as_row(x: Any) -> dict[str, Any]:
        row = {k: v for k, v in x.__dict__.items() if compare or k != "source_total"}
        return row | {"reconciles": x.reconciles} if compare else row

    return {
        "as_of": view.day.isoformat(),
        "compared_with_2016_source": compare,
        "regions": [as_row(x) for x in view.by_region],
        "membership": [as_row(x) for x in view.by_type],
        "changes_since_2016_source": [
            {"effective": c.effective, "member_id": c.member_id, "member": view.name(c.member_id), "what": c.what,
             "from": c.before, "to": c.after, "decision": c.decision}
            for c in view.changes
        ],
    }  # fmt: skip


def _print_roster(view: Any, lang: str) -> None:
    """The roster's counts and changes as tables, in ``lang``."""
    from .app.report import summary_label as label
    from .messages import say

    console, day = _console(), view.day

    def head(*keys: str) -> tuple[str, ...]:
        return tuple(say(f"header.{k}", lang) for k in keys)

    yes_no = {True: say("word.yes", lang), False: say("word.no", lang)}
    if view.compared:
        console.print(_table(say("title.cities_by_region_2016", lang),
                             head("region", "capitals", "non_capitals", "cities", "source_2016", "matches"),
                             [[label(x.label, lang), str(x.capitals), str(x.non_capitals), str(x.total),
                               str(x.source_total), yes_no[x.reconciles]] for x in view.by_region]))  # fmt: skip
        console.print(_table(say("title.members_by_type_2016", lang),
                             head("membership", "members", "source_2016", "matches"),
                             [[label(x.label, lang), str(x.total), str(x.source_total), yes_no[x.reconciles]]
                              for x in view.by_type]))  # fmt: skip
    else:
        console.print(_table(say("title.cities_by_region_on", lang, day=day),
                             head("region", "capitals", "non_capitals", "cities"),
                             [[label(x.label, lang), str(x.capitals), str(x.non_capitals), str(x.total)]
                              for x in view.by_region]))  # fmt: skip
        console.print(_table(say("title.members_by_status_on", lang, day=day), head("membership", "members"),
                             [[label(x.label, lang), str(x.total)] for x in view.by_type]))  # fmt: skip
    console.print(_table(say("title.changes_since_2016", lang),
                         head("effective", "member", "what_changed", "from", "to", "decision"),
                         [[str(c.effective), view.name(c.member_id), c.what, c.before or "-", c.after,
                           c.decision or "-"] for c in view.changes]
                         or [[say("word.none_recorded", lang), "", "", "", "", ""]], text=(1, 2, 3, 4, 5)))  # fmt: skip
    if not view.compared:
        click.echo(say("cli.roster_compare_hint", lang))


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
    from .app.quotes import fee_year_or_this_year
    from .app.year_check import check_year
    from .excel.writers import invoiced_in_ledger
    from .messages import say
    from .store.roster import load_roster

    r = load_roster(roster_file)
    year = fee_year_or_this_year(fee_year)
    found = check_year(r, year, invoiced_in_ledger(r, year))  # the refresh's own list, invoices included
    lang = language or r.language
    if as_json:
        _emit({"fee_year": year, "checks": found.rows(lang), "counts": found.counts,
               "fee_table_notes": found.table_notes})  # fmt: skip
    else:
        for f in found.findings:
            click.echo(f.text(lang))
        for note in found.table_notes:
            click.echo(say("cli.check_table_note", lang, note=note))
        tally = ", ".join(
            say("cli.count", lang, count=n, severity=say(f"severity.{k}", lang)) for k, n in found.counts.items()
        )
        click.echo(say("cli.check_summary", lang, file=r.path.name, year=year, counts=tally,
                       notes=len(found.table_notes)))  # fmt: skip
    if found.counts["error"]:
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
    from dataclasses import asdict

    from rich.progress import Progress

    from .app.refresh import refresh_totals
    from .excel.writers import refresh_file
    from .messages import say
    from .rules.inputs import read_fee_year
    from .store.roster import roster_path

    source = roster_path(roster_file)
    console = _console()
    year = read_fee_year(fee_year)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("Assessing members", total=None)
        report, saved = refresh_file(
            source, year, out, dry_run=dry_run, progress=lambda n: bar.advance(task, n), language=language
        )
    totals = refresh_totals(report)
    if as_json:
        _emit({"file": str(saved.target), "fee_year": year, **asdict(totals), **_saved_json(saved)})
    else:
        lang = report.language
        console.print(
            _table(
                say("cli.refresh_title", lang, year=year, file=saved.target),
                tuple(say(f"header.{k}", lang)
                      for k in ("region", "members_owing", "fees_computed", "total_owed", "cannot_compute")),
                [[row[0], str(row[1]), str(row[2]), f"{row[3]:,.0f}", str(row[4])] for row in report.fees_by_region],
            )
        )  # fmt: skip
        console.print(say("cli.refresh_checks", lang, **totals.counts))
        from .app.report import next_steps

        for line in next_steps(report, lang):  # what to do next, as the application works it out
            click.echo(line)
        _print_saved(saved, lang)
    if totals.errors:
        sys.exit(1)


def _saved_json(saved: Any) -> dict[str, Any]:
    return {
        "written": saved.written,
        "backup": str(saved.backup) if saved.backup else None,
        "replaced_sheets": saved.replaced_sheets,
        "added_sheets": saved.added_sheets,
        "warnings": saved.warnings,
    }


def _print_saved(saved: Any, lang: str = "en") -> None:
    """What the write did (or, for a dry run, would do) to the file."""
    from .messages import say

    sheets = "; ".join(
        part
        for part in (
            say("cli.saved_replaces", lang, sheets=", ".join(saved.replaced_sheets)) if saved.replaced_sheets else "",
            say("cli.saved_adds", lang, sheets=", ".join(saved.added_sheets)) if saved.added_sheets else "",
        )
        if part
    )
    if not saved.written:
        click.echo(say("cli.saved_dry_run", lang, file=saved.target, what=sheets or say("cli.saved_nothing", lang)))
    elif saved.backup:
        click.echo(say("cli.saved_backup", lang, backup=saved.backup))
    for warning in saved.warnings:
        click.echo(say("cli.warning", lang, text=warning))


for _command in ROSTER_COMMANDS + LEDGER_COMMANDS + BANK_COMMANDS + BOOKS_COMMANDS + YEAR_COMMANDS + DOCUMENTS_COMMANDS:
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


def _output_any_text() -> None:
    """Under a locale that is not UTF-8 (a Latin-1 or ASCII terminal) a Korean name cannot be
    written in the terminal's encoding: it is written as escapes (\\uc11c), never a traceback."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding.startswith("utf") or not hasattr(stream, "reconfigure"):
            continue
        with contextlib.suppress(ValueError, OSError):  # a stream that cannot change (detached): as it is
            stream.reconfigure(errors="backslashreplace")


def entry() -> None:
    """The ``wego-xl`` command: :func:`main`, then the output flushed; an output that cannot
    be written (a full disk, a closed pipe) is one line on stderr and exit 2."""
    code: int | str | None = 0
    _output_any_text()
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
