"""The ``wego-xl`` command line: the same rules and roster as the Excel functions.

Exit codes: 0 done; 1 problems found in the data; 2 a usage or file error. A user's
mistake prints one line, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .errors import WegoError

ROSTER_OPTION = click.option(
    "--roster", "roster_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Roster workbook (default: $WEGO_ROSTER, else the shipped workbooks/wego_roster.xlsx).")
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON for automation.")


class UserError(click.ClickException):
    """One line on stderr, exit code 2 (usage or file error) unless told otherwise."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:  # one plain line, no "Error:" box
        click.echo(f"wego-xl: {self.format_message()}", err=True)


def _console():
    from rich.console import Console

    return Console(highlight=False)


def _emit(data: dict | list) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wego-xl")
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

    from .cells import to_amount, to_fee_year
    from .fees import schedule_in_effect
    from .functions import GDP, POPULATION
    from .roster import load_roster

    try:
        pop = to_amount(population, *POPULATION)
        gdp = to_amount(gdp_per_capita, *GDP)
        year = to_fee_year(fee_year) if fee_year else dt.date.today().year
        schedule = schedule_in_effect(year, load_roster(roster_file).schedules)
        quote = schedule.quote(pop, gdp)
    except WegoError as exc:
        raise UserError(str(exc)) from None
    if as_json:
        _emit({"fee": quote.fee, "currency": "USD", "population": pop, "gdp_per_capita": gdp,
               "population_band": quote.population_band.label, "gdp_band": quote.gdp_band.label,
               "schedule_year": quote.schedule_year})
        return
    click.echo(f"Fee: {quote.fee:,.0f} USD ({quote.schedule_year} fee table)")
    click.echo(f"Population: {pop:,.0f} persons, band {quote.population_band.label}")
    click.echo(f"GDP (PPP) per capita: {gdp:,.2f} USD, band {quote.gdp_band.label}")


@main.command()
@click.argument("name")
@click.option("--fee-year", default=None, help="Also say whether a fee is owed for this year.")
@ROSTER_OPTION
@JSON_OPTION
def status(name: str, fee_year: str | None, roster_file: Path | None, as_json: bool) -> None:
    """A member's status, names, country, region and capital flag. NAME: Korean, English or alias."""
    from .billing import assess
    from .cells import to_fee_year
    from .roster import load_roster

    try:
        roster = load_roster(roster_file)
        m = roster.find(name)
        a = assess(roster, m, to_fee_year(fee_year)) if fee_year else None
    except WegoError as exc:
        raise UserError(str(exc)) from None
    capital = {True: "capital", False: "non-capital", None: "n/a (organisation)"}[m.capital]
    info = {
        "member_id": m.member_id, "status": m.membership.english, "status_ko": m.membership.korean,
        "name_en": m.name_en, "name_ko": m.name_ko, "aliases": list(m.aliases),
        "country": m.country, "country_code": m.country_iso3, "region": m.region, "capital": capital,
        "full_since": m.full_since, "population": m.population, "notes": m.notes,
    }
    if a:
        info.update(fee_year=a.fee_year, fee_owed=a.due.owed, reason=a.due.reason,
                    fee=a.amount_owed, missing=[str(m) for m in a.missing])
    if as_json:
        _emit(info)
        return
    click.echo(f"{m.name_en} ({m.name_ko}) [{m.member_id}]")
    click.echo(f"  Status:  {m.membership.english} member ({m.membership.korean})")
    click.echo(f"  Country: {m.country} ({m.country_iso3}); region {m.region}; {capital}")
    if m.aliases:
        click.echo(f"  Also:    {'; '.join(m.aliases)}")
    if m.notes:
        click.echo(f"  Notes:   {m.notes}")
    if a:
        click.echo(f"  {a.explain()}")


@main.command()
@ROSTER_OPTION
@JSON_OPTION
def roster(roster_file: Path | None, as_json: bool) -> None:
    """Counts by region, capital status and membership type, beside the 2016 source's totals."""
    from rich.table import Table

    from .roster import load_roster
    from .summary import roster_summary

    try:
        by_region, by_type = roster_summary(load_roster(roster_file))
    except WegoError as exc:
        raise UserError(str(exc)) from None
    if as_json:
        _emit({"regions": [r.__dict__ | {"reconciles": r.reconciles} for r in by_region],
               "membership": [r.__dict__ | {"reconciles": r.reconciles} for r in by_type]})
    else:
        console = _console()
        t = Table(title="Cities by region")
        for col in ("Region", "Capitals", "Non-capitals", "Cities", "2016 source", "Matches"):
            t.add_column(col, justify="left" if col == "Region" else "right")
        for r in by_region:
            t.add_row(r.label, str(r.capitals), str(r.non_capitals), str(r.total),
                      str(r.source_total), "yes" if r.reconciles else "NO")
        console.print(t)
        t = Table(title="Members by type")
        for col in ("Membership", "Members", "2016 source", "Matches"):
            t.add_column(col, justify="left" if col == "Membership" else "right")
        for r in by_type:
            t.add_row(r.label, str(r.total), str(r.source_total), "yes" if r.reconciles else "NO")
        console.print(t)
    if not all(r.reconciles for r in by_region + by_type):
        sys.exit(1)


@main.command()
@ROSTER_OPTION
@JSON_OPTION
def check(roster_file: Path | None, as_json: bool) -> None:
    """Check the roster workbook and its fee schedules; exit 1 if problems are found."""
    from .fees import schedule_findings
    from .roster import load_roster

    try:
        r = load_roster(roster_file)
    except WegoError as exc:
        raise UserError(str(exc)) from None
    findings = [str(f) for s in r.schedules for f in schedule_findings(s)]
    problems = [str(p) for p in r.problems]
    if as_json:
        _emit({"problems": problems, "schedule_notes": findings})
    else:
        for p in problems:
            click.echo(f"problem: {p}")
        for f in findings:
            click.echo(f"note: fee table {f} (applied as published)")
        click.echo(f"{len(problems)} problem(s) in {r.path.name}; {len(findings)} note(s) on the fee table")
    if problems:
        sys.exit(1)


@main.command()
@click.argument("roster_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--fee-year", required=True, help="The fee year to refresh, e.g. 2016.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of updating ROSTER_FILE in place.")
@JSON_OPTION
def refresh(roster_file: Path | None, fee_year: str, out: Path | None, as_json: bool) -> None:
    """Write the Summary, Fees YYYY and Checks sheets for a fee year into the roster workbook.

    Only those three sheets are replaced. The file is written atomically, the previous
    version is kept as NAME.bak.xlsx, and nothing is written while Excel has it open.
    Exit 1 when the Checks sheet lists errors in the data.
    """
    from rich.progress import Progress

    from .cells import to_fee_year
    from .refresh import refresh_file
    from .roster import roster_path

    source = roster_path(roster_file)
    console = _console()
    try:
        year = to_fee_year(fee_year)
        with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
            task = bar.add_task("Assessing members", total=None)
            report, target = refresh_file(source, year, out, progress=lambda n: bar.advance(task, n))
    except WegoError as exc:
        raise UserError(str(exc)) from None
    owing = [a for a in report.assessments if a.due.owed]
    if as_json:
        _emit({"file": str(target), "fee_year": year, "members": len(report.assessments),
               "owing": len(owing), "fees_computed": len(owing) - len(report.not_computable),
               "total_owed": report.total_owed, "cannot_compute": len(report.not_computable),
               "errors": len(report.errors), "checks": len(report.checks)})
    else:
        from rich.table import Table

        t = Table(title=f"Fee year {year}: {target}")
        for col in ("Region", "Members owing", "Fees computed", "Total owed (USD)", "Cannot compute yet"):
            t.add_column(col, justify="left" if col == "Region" else "right")
        for row in report.sheets[0].blocks[2].rows:
            t.add_row(row[0], str(row[1]), str(row[2]), f"{row[3]:,.0f}", str(row[4]))
        console.print(t)
        console.print(f"Checks: {len(report.errors)} error(s), "
                      f"{sum(1 for c in report.checks if c[0] == 'missing')} missing input(s), "
                      f"{sum(1 for c in report.checks if c[0] == 'note')} note(s): see the Checks sheet.")
    if report.errors:
        sys.exit(1)


@main.command("import-weo")
@click.argument("weo_file", type=click.Path(dir_okay=False, path_type=Path))
@ROSTER_OPTION
@click.option("--subject", default="PPPPC", show_default=True,
              help="WEO subject code to take from a full download (PPPPC: GDP per capita, PPP).")
@click.option("--years", default=None, help="Only these years, e.g. 2010-2025.")
@click.option("--edition", default=None, help='The WEO edition, e.g. "April 2025", when the file does not say.')
@JSON_OPTION
def import_weo_command(weo_file: Path, roster_file: Path | None, subject: str, years: str | None,
                       edition: str | None, as_json: bool) -> None:
    """Import GDP (PPP) per capita from an IMF WEO file into the roster's GDP sheet.

    Reads the full WEO download (TAB text, ISO-8859-1 or UTF-16), a WEO query-tool export,
    the IMF SDMX CSV, or a plain CSV of country, year, value. Exit 1 when member countries
    are left without a GDP for the next fee years or countries could not be mapped.
    """
    import datetime as dt

    from .roster import roster_path
    from .weo import import_weo, parse_weo

    span = None
    if years:
        match = __import__("re").fullmatch(r"(\d{4})\s*-\s*(\d{4})", years.strip())
        if not match or int(match.group(1)) > int(match.group(2)):
            raise UserError(f"--years must look like 2010-2025, got {years!r}")
        span = range(int(match.group(1)), int(match.group(2)) + 1)
    this_year = dt.date.today().year
    try:
        data = parse_weo(weo_file, subject=subject, years=span, edition=edition)
        result = import_weo(roster_path(roster_file), data, check_fee_years=(this_year, this_year + 1))
    except WegoError as exc:
        raise UserError(str(exc)) from None
    if as_json:
        _emit({"file": str(weo_file), "format": data.file_format, "edition": data.edition,
               "units": data.units, "ppp": data.is_ppp, "written": result.written,
               "replaced": result.replaced, "kept": result.kept, "newest_edition": result.newest_edition,
               "unmapped": data.unmapped, "warnings": data.warnings, "missing": result.missing})
    else:
        click.echo(f"{weo_file.name}: {data.file_format}, IMF WEO {data.edition}, units {data.units}")
        click.echo(f"GDP sheet: {result.written} figure(s) of {data.edition} written "
                   f"({result.replaced} replaced), {result.kept} of other editions kept")
        for w in data.warnings:
            click.echo(f"warning: {w}")
        if data.unmapped:
            click.echo(f"warning: {len(data.unmapped)} country name(s) not mapped to ISO codes: "
                       + "; ".join(data.unmapped[:10]))
        for gdp_year, codes in result.missing.items():
            click.echo(f"missing: no {result.newest_edition} GDP for {gdp_year} (fee year {gdp_year + 2}) for "
                       + ", ".join(codes))
    if result.missing or data.unmapped:
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
