"""The clinic's clock: "today" turns over at the clinic's midnight, for the clinic asked about or the current one."""

import datetime
from unittest import mock

from core.clinic_time import clinic_now, clinic_today, clinic_zone, today_in
from tenancy.context import tenant_context

# 05:30 UTC on 1 March: 00:30 that day in New York (org), still 23:30 on 28 February in Chicago (other_org).
MOMENT = datetime.datetime(2026, 3, 1, 5, 30, tzinfo=datetime.UTC)
MARCH_1, FEBRUARY_28 = datetime.date(2026, 3, 1), datetime.date(2026, 2, 28)


def _at(moment: datetime.datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_today_and_now_are_the_clinics(org, other_org):
    with _at(MOMENT):
        assert clinic_today(org) == MARCH_1 and clinic_today(other_org) == FEBRUARY_28
        now = clinic_now(other_org)
        assert (now.date(), now.hour, now.minute) == (FEBRUARY_28, 23, 30) and now == MOMENT
        assert clinic_zone(other_org).key == "America/Chicago"


def test_without_a_clinic_named_the_current_one_counts(org, other_org):
    with _at(MOMENT), tenant_context(other_org):
        assert clinic_today() == FEBRUARY_28 and clinic_zone().key == "America/Chicago"
        assert clinic_today(org) == MARCH_1


def test_outside_any_clinic_the_project_time_zone_counts(db):
    with _at(datetime.datetime(2026, 3, 1, 3, 30, tzinfo=datetime.UTC)):
        assert clinic_today() == MARCH_1 and clinic_zone().key == "UTC"


def test_today_in_a_readers_zone():
    with _at(MOMENT):
        assert today_in("America/Los_Angeles") == FEBRUARY_28 and today_in("Europe/London") == MARCH_1
        assert today_in(clinic_zone()) == MARCH_1
