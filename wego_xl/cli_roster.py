"""The roster's commands of ``wego-xl``: ``import-weo``, ``import-population``, ``confirm``,
``settings`` and the ``member`` group (add, upgrade, withdraw, rename). Each parses, calls the
roster's application code (:mod:`wego_xl.app`) and prints."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .cli_common import (
    DRY_RUN_OPTION,
    JSON_OPTION,
    LANG_OPTION,
    ROSTER_OPTION,
    UserError,
    _console,
    _date_option,
    _emit,
    _table,
)


def _year_span(years: str | None) -> range | None:
    """``--years 2010-2025`` as a range of years (None: all years in the file)."""
    import re

    if not years:
        return None
    match = re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", years.strip())
    if not match or int(match.group(1)) > int(match.group(2)):
        raise UserError(f"--years must look like 2010-2025, got {years!r}")
    return range(int(match.group(1)), int(match.group(2)) + 1)


def _print_import(weo_file: Path, result: Any) -> None:
    """What ``import-weo`` did, for a person: figures written, warnings, gaps."""
    from .rules.fees import fee_year_of_gdp_year

    data = result.data
    click.echo(f"{weo_file.name}: {data.file_format}, IMF WEO {data.edition}, units {data.units}")
    verb = "written" if result.saved else "would be written (dry run: nothing written)"
    click.echo(
        f"GDP sheet: {result.written} figure(s) of {data.edition} {verb} "
        f"({result.replaced} replaced), {result.kept} of other editions kept"
    )
    for w in data.warnings:
        click.echo(f"warning: {w}")
    if data.unmapped:
        click.echo(
            f"warning: {len(data.unmapped)} country name(s) not mapped to ISO codes: " + "; ".join(data.unmapped[:10])
        )
    for gdp_year, codes in result.missing.items():
        click.echo(
            f"missing: no {result.newest_edition} GDP for {gdp_year} "
            f"(fee year {fee_year_of_gdp_year(gdp_year)}) for " + ", ".join(codes)
        )


@click.command("import-weo")
@click.argument("weo_file", type=click.Path(dir_okay=False, path_type=Path))
@ROSTER_OPTION
@click.option(
    "--subject",
    default=None,
    help="The WEO series to import, by its code (default PPPPC: GDP per capita, PPP, the one fees use). "
    "Another series (NGDPDPC: U.S. dollars) is imported only when named here, and never billed.",
)
@click.option("--years", default=None, help="Only these years, e.g. 2010-2025.")
@click.option("--edition", default=None, help='The WEO edition, e.g. "April 2025", when the file does not say.')
@click.option(
    "--fee-year",
    "fee_years",
    multiple=True,
    help="A fee year whose GDP year must be covered (repeatable; default: this year and next).",
)
@DRY_RUN_OPTION
@JSON_OPTION
def import_weo_command(
    weo_file: Path,
    roster_file: Path | None,
    subject: str | None,
    years: str | None,
    edition: str | None,
    fee_years: tuple[str, ...],
    dry_run: bool,
    as_json: bool,
) -> None:
    """Import GDP (PPP) per capita from an IMF WEO file into the roster's GDP sheet.

    Reads the full WEO download (TAB text, ISO-8859-1 or UTF-16), a WEO query-tool export,
    the IMF SDMX CSV, or a plain CSV of country, year, value: one series (GDP, PPP, per
    capita), every number read for sure, or nothing is written. Exit 1 when a member
    country has no GDP for a fee year asked for (--fee-year; default this year and next).
    """
    from .app.quotes import fee_years_to_cover
    from .store.roster import roster_path
    from .store.weo import import_weo, parse_weo

    covered = fee_years_to_cover(fee_years)
    data = parse_weo(weo_file, subject=subject, years=_year_span(years), edition=edition)
    result = import_weo(roster_path(roster_file), data, check_fee_years=covered, dry_run=dry_run)
    if as_json:
        _emit(
            {
                "file": str(weo_file),
                "format": data.file_format,
                "edition": data.edition,
                "units": data.units,
                "ppp": data.is_ppp,
                "written": result.written,
                "replaced": result.replaced,
                "kept": result.kept,
                "newest_edition": result.newest_edition,
                "unmapped": data.unmapped,
                "warnings": data.warnings,
                "missing": result.missing,
                "saved": result.saved,
            }
        )
    else:
        _print_import(weo_file, result)
    if result.missing:  # the exit code says only whether the fee years asked for are covered
        sys.exit(1)


@click.command("import-population")
@click.argument("population_file", type=click.Path(dir_okay=False, path_type=Path))
@ROSTER_OPTION
@DRY_RUN_OPTION
@LANG_OPTION
@JSON_OPTION
def import_population_command(
    population_file: Path, roster_file: Path | None, dry_run: bool, language: str | None, as_json: bool
) -> None:
    """Import city populations from the UNdata city population CSV (UNSD Demographic Yearbook).

    Matches each member city by country and name (its names, aliases and the reviewed
    spellings of the Source names sheet; never by guessing), prefers city proper, then the
    latest year, and writes population, year and source, unconfirmed. A figure the finance
    team entered or confirmed is never replaced; an absurd or far-off figure is reported.
    """
    from .app.populations import import_population
    from .messages import say
    from .store.roster import load_roster, roster_path
    from .store.unsd import parse_unsd

    target = roster_path(roster_file)
    result = import_population(target, parse_unsd(population_file), dry_run=dry_run)
    names = {m.member_id: m.display_name for m in load_roster(target).members}
    if as_json:
        _emit(
            {
                "written": {
                    names[k]: {"population": f.persons, "year": f.year, "source": f.source()}
                    for k, f in result.written.items()
                },
                "kept": {names[k]: v for k, v in result.kept.items()},
                "refused": {names[k]: v for k, v in result.refused.items()},
                "unmatched": {names[k]: v for k, v in result.unmatched.items()},
                "saved": bool(result.saved and result.saved.written),
            }
        )
        return
    lang = language or load_roster(target).language
    written = bool(result.saved and result.saved.written)
    click.echo(
        say("cli.populations_written" if written else "cli.populations_dry_run", lang, count=len(result.written))
    )
    for k, f in result.written.items():
        click.echo(f"  {names[k]}: {f.persons:,} ({f.year}; {f.source()})")
    for title, part in (
        ("cli.populations_kept", result.kept),
        ("cli.populations_refused", result.refused),
        ("cli.populations_unmatched", result.unmatched),
    ):
        if part:
            click.echo(say(title, lang, count=len(part)))
            for k, why in part.items():
                click.echo(f"  {names[k]}: {why}")
    if result.written:
        click.echo(say("cli.next_confirm_imported", lang))


@click.command()
@click.argument("cities", nargs=-1)
@click.option("--population", is_flag=True, help="Confirm the population of each member named.")
@click.option("--all-populations", is_flag=True, help="Confirm every imported population awaiting confirmation.")
@click.option("--gdp-edition", default=None, help='Confirm every GDP figure of this WEO edition, e.g. "April 2015".')
@click.option("--by", "by", required=True, help="Who checked the figures (written on the roster).")
@ROSTER_OPTION
@DRY_RUN_OPTION
@LANG_OPTION
@JSON_OPTION
def confirm(
    cities: tuple[str, ...], population: bool, all_populations: bool, gdp_edition: str | None, by: str,
    roster_file: Path | None, dry_run: bool, language: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Record that a person checked imported figures: members' populations, every imported
    population awaiting confirmation, an edition's GDP, or all at once, in one save (all or
    nothing: a name that is no member confirms nothing).

    Examples: wego-xl confirm Seoul Busan --population --by "Kim Minji";
    wego-xl confirm --all-populations --gdp-edition "April 2015" --by "Kim Minji"
    """
    from .app.populations import confirm_inputs
    from .messages import say
    from .store.roster import load_roster, roster_path

    if cities and not population:
        raise UserError(f"say what to confirm of {', '.join(cities)}: add --population")
    if population and not cities:
        raise UserError("say what to confirm: CITY ... --population (one or more members), or --all-populations")
    if not (cities or all_populations or gdp_edition is not None):
        raise UserError('say what to confirm: CITY ... --population, --all-populations, or --gdp-edition "April 2015"')
    target = roster_path(roster_file)
    done = confirm_inputs(target, cities, by=by, all_populations=all_populations, edition=gdp_edition,
                          dry_run=dry_run)  # fmt: skip
    written = bool(done.saved and done.saved.written)
    if as_json:
        _emit(
            {
                "confirmed_by": done.by,
                "populations": [{"member_id": m.member_id, "member": m.display_name, "population": m.population,
                                 "year": m.population_year, "source": m.population_source} for m in done.populations],
                "gdp_edition": done.edition,
                "gdp_figures": done.gdp_rows,
                "written": written,
            }
        )  # fmt: skip
        return
    lang = language or load_roster(target).language
    if done.populations:
        _console().print(
            _table(
                say("cli.confirm_populations", lang, count=len(done.populations), by=done.by),
                tuple(say(f"cli.{k}", lang) for k in ("col_member", "col_population", "col_year", "col_source")),
                [[m.display_name, f"{m.population:,.0f}", str(m.population_year or ""), m.population_source]
                 for m in done.populations],
                text=(3,),
            )
        )  # fmt: skip
        if len(done.populations) == 1:
            m = done.populations[0]
            click.echo(say("cli.confirmed_population", lang, name=m.display_name, population=m.population, by=done.by))
    elif all_populations:
        click.echo(say("cli.none_awaiting", lang))
    if done.edition is not None:
        click.echo(say("cli.confirmed_gdp", lang, count=done.gdp_rows, edition=done.edition, by=done.by))
    if dry_run:
        click.echo(say("cli.dry_run_nothing_written", lang))


@click.command()
@click.argument("name", required=False)
@click.argument("value", required=False)
@ROSTER_OPTION
def settings(name: str | None, value: str | None, roster_file: Path | None) -> None:
    """Show the roster's Settings (the Secretariat's address and bank details that documents
    print), or set one: wego-xl settings "Bank name" "Shinhan Bank".

    A roster made before the Settings sheet existed gets it, with every standard row.
    """
    from .app.settings import STANDARD_SETTINGS, set_setting
    from .store.roster import load_roster, roster_path

    if name is not None and value is None:
        raise UserError(f'give the value too: wego-xl settings "{name}" "VALUE"')
    if name is not None and value is not None:
        found = set_setting(roster_path(roster_file), name, value)
        click.echo(f"{found.name}: {found.value} (Settings sheet, row {found.row})")
        return
    current = load_roster(roster_file).settings
    for standard, _, what in STANDARD_SETTINGS:
        setting = current.get(standard)
        shown = setting.value if setting and setting.value else "(blank)"
        click.echo(f"{standard:<28} {shown}" + (f"   [{what}]" if what and not (setting and setting.value) else ""))
    if not current:
        click.echo('the roster has no Settings sheet yet: wego-xl settings "Bank name" "..." adds it')


@click.group()
def member() -> None:
    """Record a membership change (EC decision): add, upgrade, withdraw, rename.

    Each writes the Members row and a History row in one save, and refuses impossible moves.
    """


def _plain(value: str | None, what: str) -> str | None:
    """A --decision or --by as the History sheet keeps it, or the one-line error of the rule."""
    from .rules.inputs import refuse_in_free_text

    return None if value is None else refuse_in_free_text(value, what)


_EFFECTIVE = click.option("--effective", required=True, help="The date the change takes effect, e.g. 2016-09-01.")
_DECISION = click.option(
    "--decision",
    default="",
    help='The decision, e.g. "EC 2016-2" or "GA 2016".',
    callback=lambda ctx, param, value: _plain(value, "the decision (--decision)"),
)
_BY = click.option(
    "--by",
    "by",
    default=None,
    help="Who enters the change (default: the computer's user name).",
    callback=lambda ctx, param, value: _plain(value, "who enters the change (--by)"),
)


@member.command("add")
@click.option("--english", "english", required=True, help="English name.")
@click.option("--korean", "korean", default=None, help="Korean name.")
@click.option("--country-code", required=True, help="ISO 3166 alpha-3 code, e.g. KOR.")
@click.option("--country", required=True, help="Country, e.g. 'Korea, Republic of'.")
@click.option("--region", required=True, help="Asia, Oceania, Americas, Europe, Middle East or Africa.")
@click.option(
    "--capital", type=click.Choice(["Yes", "No"]), default=None, help="Capital city (blank for organisations)."
)
@click.option("--status", "status", default="Applicant", show_default=True, help="Applicant, Associate or Friendship.")
@_EFFECTIVE
@_DECISION
@_BY
@ROSTER_OPTION
def member_add(
    english: str, korean: str | None, country_code: str, country: str, region: str, capital: str | None,
    status: str, effective: str, decision: str, by: str | None, roster_file: Path | None,
) -> None:  # fmt: skip
    """Add a member: an applicant, or an associate the Secretariat accepted."""
    from .app.changes import add_member
    from .rules.membership import MembershipType
    from .store.roster import roster_path

    fields = {"English name": english, "Korean name": korean, "Country code": country_code.upper(),
              "Country": country, "Region": region, "Capital": capital}  # fmt: skip
    kind = MembershipType.parse(status)
    member_id = add_member(roster_path(roster_file), fields, kind, _date_option(effective, "--effective"), decision, by)
    click.echo(f"{english} added as {kind.english} ({member_id}), effective {effective}")


@member.command("upgrade")
@click.argument("city")
@click.option("--to", "to", required=True, help="The new status: Associate or Full.")
@_EFFECTIVE
@_DECISION
@_BY
@ROSTER_OPTION
def member_upgrade(city: str, to: str, effective: str, decision: str, by: str | None, roster_file: Path | None) -> None:
    """Change a member's status (Applicant -> Associate -> Full, or back with a decision)."""
    _change(city, to, effective, decision, by, roster_file)


@member.command("withdraw")
@click.argument("city")
@_EFFECTIVE
@_DECISION
@_BY
@ROSTER_OPTION
def member_withdraw(city: str, effective: str, decision: str, by: str | None, roster_file: Path | None) -> None:
    """Record that a member withdrew: it keeps its row, id and names; it owes no fee for the
    fee years that begin after the date."""
    _change(city, "Withdrawn", effective, decision, by, roster_file)


def _change(city: str, to: str, effective: str, decision: str, by: str | None, roster_file: Path | None) -> None:
    from .app.changes import change_membership
    from .rules.membership import MembershipType
    from .store.roster import roster_path

    kind = MembershipType.parse(to)
    day = _date_option(effective, "--effective")
    changed, before = change_membership(roster_path(roster_file), city, kind, day, decision, by)
    click.echo(
        f"{changed.display_name}: {before.english} -> {kind.english} from {day}"
        + (f" ({decision})" if decision else "")
    )


@member.command("rename")
@click.argument("city")
@click.option("--english", "english", default=None, help="The new English name.")
@click.option("--korean", "korean", default=None, help="The new Korean name.")
@_EFFECTIVE
@_DECISION
@_BY
@ROSTER_OPTION
def member_rename(
    city: str, english: str | None, korean: str | None, effective: str, decision: str, by: str | None,
    roster_file: Path | None,
) -> None:  # fmt: skip
    """Rename a member; the old name stays as an alias, so formulas using it keep working."""
    from .app.changes import rename_member
    from .store.roster import roster_path

    renamed = rename_member(roster_path(roster_file), city, english, korean, _date_option(effective, "--effective"),
                            decision, by)  # fmt: skip
    click.echo(
        f"{renamed.display_name} renamed" + (f" to {english}" if english else "") + (f" / {korean}" if korean else "")
    )


COMMANDS = [import_weo_command, import_population_command, confirm, settings, member]
