"""Rebuild workbooks/wego_roster.xlsx from workbooks/src/*.csv: python workbooks/build_roster.py"""

from pathlib import Path

from wego_xl.roster_builder import build_roster
from wego_xl.schedules import DEFAULT_SCHEDULES

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    print(build_roster(HERE / "src", HERE / "wego_roster.xlsx", DEFAULT_SCHEDULES))
