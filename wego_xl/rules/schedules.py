"""Published fee schedules, as data. Add a new table here (or in the roster's
``Fee schedule`` sheet) with the year it takes effect; no code changes.

Cited: WeGO Secretariat, "세계도시전자정부협의체(WeGO)" (2016), section "WeGO 연회비 기준":
population in thousands across, GDP (PPP) per capita in USD down; fees in USD.
"""

from __future__ import annotations

from .fees import FeeSchedule

SCHEDULE_2016 = FeeSchedule(
    effective_year=2016,
    population_lowers=(0, 300_000, 600_000, 1_000_000, 2_000_000, 4_000_000, 7_000_000, 10_000_000),
    gdp_lowers=(0, 1_000, 2_000, 4_000, 6_000, 8_000, 10_000, 15_000, 20_000),
    fees=(
        (400, 400, 500, 500, 600, 600, 700, 700),
        (500, 500, 600, 600, 700, 700, 800, 800),
        (500, 750, 1_000, 1_250, 1_500, 1_750, 2_000, 2_250),
        (700, 1_000, 1_300, 1_600, 1_900, 2_200, 2_500, 3_000),
        (1_500, 2_000, 2_500, 3_000, 3_500, 4_000, 4_500, 5_000),
        (2_000, 2_500, 3_000, 3_500, 4_000, 4_500, 5_000, 5_500),
        (3_500, 4_000, 4_500, 5_000, 5_500, 6_000, 6_500, 7_000),
        (4_500, 5_000, 5_500, 6_000, 6_500, 7_000, 7_500, 8_000),
        (6_000, 6_500, 7_000, 7_500, 8_000, 8_500, 8_500, 10_000),
    ),
    source="WeGO Secretariat 2016, 'WeGO 연회비 기준' (annual fee table)",
)

#: Every schedule the toolkit ships, oldest first.
DEFAULT_SCHEDULES = (SCHEDULE_2016,)
