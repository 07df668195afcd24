"""Series expansion in the clinic's wall-clock time, including daylight-saving changes."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from scheduling.appointments import recurrence
from scheduling.appointments.recurrence import Rule

TEN = datetime.time(10)


def test_weekly_on_two_days_every_other_week_by_count():
    rule = Rule("WEEKLY", interval=2, weekdays=(1, 3), count=5)
    got = recurrence.instances(rule, datetime.date(2026, 3, 3), TEN)
    assert [d.date().isoformat() for d in got] == ["2026-03-03", "2026-03-05", "2026-03-17", "2026-03-19", "2026-03-31"]
    assert recurrence.rrule_text(rule, datetime.date(2026, 3, 3)) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=5"


def test_ten_oclock_stays_ten_oclock_across_spring_forward_in_new_york():
    rule = Rule("WEEKLY", weekdays=(4,), count=3)  # Fridays around Sunday 8 March 2026
    utc = [recurrence.to_utc(d, "America/New_York") for d in recurrence.instances(rule, datetime.date(2026, 3, 6), TEN)]
    assert [u.hour for u in utc] == [15, 14, 14]  # 10:00 EST = 15:00 UTC, 10:00 EDT = 14:00 UTC
    assert [recurrence.to_local(u, "America/New_York").time() for u in utc] == [TEN, TEN, TEN]


def test_ten_oclock_stays_ten_oclock_across_fall_back_in_new_york():
    rule = Rule("WEEKLY", weekdays=(0,), until=datetime.date(2026, 11, 9))
    days = recurrence.instances(rule, datetime.date(2026, 10, 26), TEN)
    utc = [recurrence.to_utc(d, "America/New_York") for d in days]
    assert [u.isoformat() for u in utc] == [
        "2026-10-26T14:00:00+00:00",
        "2026-11-02T15:00:00+00:00",
        "2026-11-09T15:00:00+00:00",
    ]


def test_a_nonexistent_local_time_moves_an_hour_on_and_an_ambiguous_one_takes_the_first():
    gap = recurrence.to_utc(datetime.datetime(2026, 3, 8, 2, 30), "America/New_York")
    assert recurrence.to_local(gap, "America/New_York") == datetime.datetime(2026, 3, 8, 3, 30)
    twice = recurrence.to_utc(datetime.datetime(2026, 11, 1, 1, 30), "America/New_York")
    assert twice.hour == 5  # 01:30 EDT


def test_monthly_on_the_nth_weekday_and_the_last_weekday():
    second_tuesday = Rule("MONTHLY", monthly_mode="weekday", count=3)
    got = recurrence.instances(second_tuesday, datetime.date(2026, 1, 13), TEN)
    assert [d.date().isoformat() for d in got] == ["2026-01-13", "2026-02-10", "2026-03-10"]
    last_friday = recurrence.instances(
        Rule("MONTHLY", monthly_mode="weekday", count=3), datetime.date(2026, 1, 30), TEN
    )
    assert [d.date().isoformat() for d in last_friday] == ["2026-01-30", "2026-02-27", "2026-03-27"]
    assert recurrence.rrule_text(second_tuesday, datetime.date(2026, 1, 13)) == "FREQ=MONTHLY;BYDAY=2TU;COUNT=3"


def test_monthly_by_day_of_month_until_a_date():
    rule = Rule("MONTHLY", monthly_mode="day", until=datetime.date(2026, 4, 15))
    got = recurrence.instances(rule, datetime.date(2026, 1, 15), TEN)
    assert [d.date().isoformat() for d in got] == ["2026-01-15", "2026-02-15", "2026-03-15", "2026-04-15"]
    assert recurrence.describe(rule, datetime.date(2026, 1, 15)) == "Every month on day 15, until Apr 15, 2026"


@pytest.mark.parametrize(
    ("rule", "first", "message"),
    [
        (Rule("WEEKLY"), datetime.date(2026, 1, 5), "A series must end"),
        (Rule("WEEKLY", count=500), datetime.date(2026, 1, 5), "1 to 200"),
        (Rule("WEEKLY", until=datetime.date(2029, 1, 1)), datetime.date(2026, 1, 5), "at most two years"),
        (Rule("WEEKLY", until=datetime.date(2025, 1, 1)), datetime.date(2026, 1, 5), "before its first"),
        (Rule("MONTHLY", monthly_mode="day", count=3), datetime.date(2026, 1, 31), "Not every month has a day 31"),
        (Rule("WEEKLY", interval=0, count=3), datetime.date(2026, 1, 5), "every 1 to 12"),
    ],
)
def test_bad_rules_are_refused_with_a_message(rule, first, message):
    with pytest.raises(ValidationError) as refused:
        recurrence.validate(rule, first)
    assert message.lower() in " ".join(refused.value.messages).lower()


def test_excluded_dates_still_count_towards_the_count():
    skipped = datetime.datetime(2026, 1, 12, 10)
    rule = Rule("WEEKLY", count=3, excluded=(skipped,))
    got = recurrence.occurrences(rule, datetime.date(2026, 1, 5), TEN)
    assert [d.date().isoformat() for d in got] == ["2026-01-05", "2026-01-19"]
