"""The reminder ladder: first, second, final, by the reminders made and the lateness, never
"final" first; two reminders at least two weeks apart; reminders of a debt since paid do not
count for the next one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from wego_xl.rules.reminders import Sent, level_by_lateness, next_reminder

DUE = dt.date(2017, 3, 16)


def test_the_first_reminder_a_member_gets_is_never_the_final_one():
    late = next_reminder(DUE, dt.date(2017, 12, 1), [])
    assert late.level == 1 and "no reminder yet: the first reminder" in late.why
    assert level_by_lateness((dt.date(2017, 12, 1) - DUE).days) == 3  # the days alone would say final


def test_a_ladder_over_a_year_of_monthly_runs():
    """Run on the first of each month from April 2017 to March 2018, logging what is made."""
    sent: list[Sent] = []
    made = []
    for month in range(4, 16):
        day = dt.date(2017 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        step = next_reminder(DUE, day, sent)
        made.append((day.isoformat(), step.level))
        if step.level:
            sent.append(Sent(day, step.level, Decimal("1250.00")))
    assert made == [("2017-04-01", 1), ("2017-05-01", 2), ("2017-06-01", 2), ("2017-07-01", 3)] + [
        (dt.date(2017 + (m - 1) // 12, (m - 1) % 12 + 1, 1).isoformat(), 3) for m in range(8, 16)
    ]


def test_two_reminders_are_two_weeks_apart_and_a_paid_debts_reminders_do_not_count():
    sent = [Sent(dt.date(2017, 4, 1), 1, Decimal("10"))]
    soon = next_reminder(DUE, dt.date(2017, 4, 10), sent)
    assert (
        soon.level is None and "reminded on 2017-04-01 (first reminder): the next one not before 2017-04-15" in soon.why
    )
    assert next_reminder(DUE, dt.date(2017, 4, 15), sent).level == 1  # 30 days late: a second one still "first"
    newer = dt.date(2018, 3, 16)  # last year's debt was paid; this year's falls due
    assert next_reminder(newer, dt.date(2018, 9, 1), sent).level == 1
    assert next_reminder(DUE, DUE, sent).level is None
