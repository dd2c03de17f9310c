"""Put real, cited figures into the roster's reviewable sources, with the toolkit's own
importers, then rebuild the shipped roster:

    python -m workbooks.import_figures ../shared/data && python -m workbooks.build_roster

* GDP: IMF WEO April 2015, GDP (PPP) per capita, member countries only, GDP years 2012-2016
  (fee years 2014-2018) -> ``src/gdp.csv``, each row citing the IMF and the edition.
* Populations: the UN Statistics Division's city table (Demographic Yearbook 240), matched
  through members' names and ``src/source_names.csv`` -> the Population, Population year
  and Population source columns of ``src/members.csv``: unconfirmed, a figure the
  finance team typed is never replaced.
"""

from __future__ import annotations

import csv
import sys
import tempfile
from pathlib import Path

from wego_xl.app.populations import match_members
from wego_xl.rules.schedules import DEFAULT_SCHEDULES
from wego_xl.store.roster import read_roster
from wego_xl.store.unsd import parse_unsd
from wego_xl.store.weo import parse_weo
from workbooks.build_roster import SOURCES, build_roster

WEO_FILE = "weo/open-numbers_WEOApr2015_ddf--datapoints--ppppc--by--country--year.csv"
UNSD_FILE = "unsd/unsd-citypopulation-year-both.csv"
GDP_YEARS = range(2012, 2017)
GDP_SOURCE = "IMF, World Economic Outlook Database, April 2015 (extract of open-numbers/ddf--imf--weo)"


def import_figures(data: Path, sources: Path = SOURCES) -> tuple[int, int]:
    """(GDP rows written, populations written) into the CSV sources."""
    with tempfile.TemporaryDirectory() as tmp:
        roster = read_roster(build_roster(sources, Path(tmp) / "roster.xlsx", DEFAULT_SCHEDULES))
    wanted = {m.country_iso3 for m in roster.members} | {m.gdp_code for m in roster.members}
    weo = parse_weo(data / WEO_FILE, years=GDP_YEARS)
    names = {m.country_iso3: m.country for m in roster.members}
    with open(sources / "gdp.csv", encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    gdp_rows = [
        {
            "Country code": f.code,
            "Country": names.get(f.code, f.name),
            "Year": f.year,
            "GDP per capita (PPP, USD)": f.value,
            "Edition": weo.edition,
            "Units": weo.units,
            "Source": GDP_SOURCE,
            "Estimate": "Yes" if f.estimate else "No",
        }
        for f in sorted(weo.figures, key=lambda f: (f.code, f.year))
        if f.code in wanted
    ]
    with open(sources / "gdp.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header)
        writer.writeheader()
        writer.writerows(gdp_rows)
    found = match_members(roster.members, parse_unsd(data / UNSD_FILE), roster.source_names)
    with open(sources / "members.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, members = list(reader.fieldnames or []), list(reader)
    for rec in members:
        figure = found.written.get(rec["member_id"])
        if figure is not None:
            rec.update(population=figure.persons, population_year=figure.year, population_source=figure.source())
    with open(sources / "members.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(members)
    for member_id, why in {**found.refused, **found.unmatched, **found.kept}.items():
        print(f"{member_id}: {why}")
    return len(gdp_rows), len(found.written)


if __name__ == "__main__":
    gdp, populations = import_figures(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"))
    print(f"{gdp} GDP figures and {populations} populations written to {SOURCES}")
