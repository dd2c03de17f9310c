"""Synthetic rosters of any size, for benchmarks and for tests that need a slow refresh."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from wego_xl.rules.schedules import DEFAULT_SCHEDULES
from workbooks.build_roster import SOURCES, build_roster


def synthetic_roster(folder: Path, members: int) -> Path:
    """A roster of ``members`` cities over 40 countries, with populations and 2014 GDP."""
    src = folder / f"src{members}"
    src.mkdir()
    rng = random.Random(members)
    countries = [f"X{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(40)]
    regions = ["Asia", "Oceania", "Americas", "Europe", "Middle East", "Africa"]
    with open(SOURCES / "members.csv", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    with open(src / "members.csv", "w", encoding="utf-8", newline="") as fh:
        members_csv = csv.DictWriter(fh, header)
        members_csv.writeheader()
        for i in range(members):
            members_csv.writerow(
                {
                    "member_id": f"S{i:06d}",
                    "name_ko": f"도시{i}",
                    "name_en": f"Synthetic City {i}",
                    "aliases": f"SC{i}",
                    "country_iso3": countries[i % 40],
                    "country": f"Country {i % 40}",
                    "region": regions[i % 6],
                    "capital": "No",
                    "membership": "Full",
                    "full_since": "2012",
                    "population": str(rng.randint(0, 20_000_000)),
                    "population_year": "2015",
                    "english_confirmed": "Yes",
                }
            )
    with open(src / "gdp.csv", "w", encoding="utf-8", newline="") as fh:
        gdp_csv = csv.writer(fh)
        gdp_csv.writerow(["Country code", "Country", "Year", "GDP per capita (PPP, USD)", "Edition", "Units", "Source"])
        for c in countries:
            gdp_csv.writerow([c, c, 2014, rng.uniform(0, 60_000), "April 2015", "international dollars", "synthetic"])
    return build_roster(src, folder / f"roster{members}.xlsx", DEFAULT_SCHEDULES)
