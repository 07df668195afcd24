"""Editing series: one occurrence (an exception) or this-and-following (a split), never dropping or doubling."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from scheduling.appointments import recurrence, services
from scheduling.appointments.models import Appointment, AppointmentSeries, Status
from scheduling.appointments.recurrence import Rule
from scheduling.tests.conftest import local
from tenancy.context import tenant_context

ZONE = "America/New_York"


@pytest.fixture
def jordan(org, clinician, make_chart_client):
    return make_chart_client(org, "Jordan", "Rivers", primary=clinician)


@pytest.fixture
def weekly(org, book, jordan, clinician, front_desk):
    """Ten Tuesdays at 10:00 from 24 Feb 2026, across the 8 March spring-forward."""
    result = book(
        front_desk,
        local(2026, 2, 24),
        clients=[jordan],
        clinicians=[clinician],
        rule=Rule("WEEKLY", weekdays=(1,), count=10),
    )
    return result.series


def _starts(series) -> list[str]:
    return [recurrence.to_local(a.start, ZONE).strftime("%a %m-%d %H:%M") for a in series.occurrences.order_by("start")]


def _details(a):
    return services.Details.of(a)


def test_moving_one_occurrence_changes_only_it(org, weekly, front_desk):
    with tenant_context(org):
        third = weekly.occurrences.order_by("start")[2]
        services.update(
            third,
            actor=front_desk,
            expected_version=1,
            details=_details(third),
            start=local(2026, 3, 12, 15),
            duration=50,
        )
        third.refresh_from_db()
        assert third.is_exception and third.series_id == weekly.pk
        assert third.original_start == datetime.datetime(2026, 3, 10, 14, tzinfo=datetime.UTC)
        assert weekly.occurrences.count() == 10
        assert _starts(weekly).count("Tue 03-10 10:00") == 0 and "Thu 03-12 15:00" in _starts(weekly)


def test_this_and_following_keeps_the_count_and_the_wall_clock_time_across_dst(org, weekly, front_desk):
    with tenant_context(org):
        fourth = weekly.occurrences.order_by("start")[3]  # Tue 17 March (after the change to daylight time)
        services.update(
            fourth,
            actor=front_desk,
            expected_version=1,
            details=_details(fourth),
            start=local(2026, 3, 18, 11),
            duration=50,
            scope=services.FOLLOWING,
        )
        weekly.refresh_from_db()
        successor = AppointmentSeries.objects.get(previous=weekly)
        assert weekly.count == 3 and successor.count == 7
        assert _starts(weekly) == ["Tue 02-24 10:00", "Tue 03-03 10:00", "Tue 03-10 10:00"]
        assert _starts(successor) == [
            f"Wed {d} 11:00" for d in ("03-18", "03-25", "04-01", "04-08", "04-15", "04-22", "04-29")
        ]
        assert successor.weekdays == [2] and successor.start_time == datetime.time(11)
        assert Appointment.objects.count() == 10  # nothing dropped, nothing doubled
        expanded = recurrence.occurrences(recurrence.Rule.of(successor), successor.first_date, successor.start_time)
        assert [recurrence.to_utc(x, ZONE) for x in expanded] == list(
            successor.occurrences.order_by("start").values_list("start", flat=True)
        )


def test_this_and_following_across_fall_back_with_an_until_series(org, book, jordan, clinician, front_desk):
    result = book(
        front_desk,
        local(2026, 10, 20, 9),
        clients=[jordan],
        clinicians=[clinician],
        rule=Rule("WEEKLY", weekdays=(1,), until=datetime.date(2026, 11, 17)),
    )
    series = result.series
    with tenant_context(org):
        assert _starts(series) == [f"Tue {d} 09:00" for d in ("10-20", "10-27", "11-03", "11-10", "11-17")]
        second = series.occurrences.order_by("start")[1]
        services.update(
            second,
            actor=front_desk,
            expected_version=1,
            details=_details(second),
            start=local(2026, 10, 27, 8),
            duration=50,
            scope=services.FOLLOWING,
        )
        series.refresh_from_db()
        successor = AppointmentSeries.objects.get(previous=series)
        assert series.until == datetime.date(2026, 10, 26) and successor.count == 4
        assert _starts(series) == ["Tue 10-20 09:00"]
        assert _starts(successor) == [f"Tue {d} 08:00" for d in ("10-27", "11-03", "11-10", "11-17")]


def test_this_and_following_keeps_cancelled_and_skipped_occurrences_accounted_for(org, weekly, front_desk):
    with tenant_context(org):
        rows = list(weekly.occurrences.order_by("start"))
        services.cancel(rows[6], actor=front_desk, expected_version=1, cancelled_by="client", reason="Holiday")
        services.update(
            rows[4],
            actor=front_desk,
            expected_version=1,
            details=_details(rows[4]),
            start=local(2026, 3, 24, 9),
            duration=50,
            scope=services.FOLLOWING,
        )
        successor = AppointmentSeries.objects.get(previous=weekly)
        moved = list(successor.occurrences.order_by("original_start"))
        assert len(moved) == 6 and weekly.occurrences.count() == 4
        cancelled = [a for a in moved if a.status == Status.CANCELLED]
        assert len(cancelled) == 1
        assert recurrence.to_local(cancelled[0].original_start, ZONE).hour == 9  # its slot moved with the rule


def test_a_conflict_in_any_following_occurrence_refuses_the_whole_change(
    org, weekly, book, clinician, front_desk, make_chart_client
):
    maya = make_chart_client(org, "Maya", "Okafor", primary=clinician)
    book(front_desk, local(2026, 4, 14, 11), clients=[maya], clinicians=[clinician])
    with tenant_context(org):
        fourth = weekly.occurrences.order_by("start")[3]
        with pytest.raises(services.BookingRefused, match="Tue Apr 14, 11:00–11:50"):
            services.update(
                fourth,
                actor=front_desk,
                expected_version=1,
                details=_details(fourth),
                start=local(2026, 3, 17, 11),
                duration=50,
                scope=services.FOLLOWING,
            )
    with tenant_context(org):
        assert AppointmentSeries.objects.count() == 1
        assert _starts(weekly)[3] == "Tue 03-17 10:00"


def test_cancelling_this_and_following_cancels_later_open_occurrences_only(org, weekly, front_desk):
    with tenant_context(org):
        rows = list(weekly.occurrences.order_by("start"))
        cancelled = services.cancel(
            rows[7],
            actor=front_desk,
            expected_version=1,
            cancelled_by="clinic",
            reason="Clinician leaving",
            scope=services.FOLLOWING,
        )
        assert len(cancelled) == 3
        assert weekly.occurrences.filter(status=Status.CANCELLED).count() == 3
        assert weekly.occurrences.count() == 10


def test_a_monthly_series_cannot_be_moved_to_another_weekday_in_bulk(org, book, jordan, clinician, front_desk):
    result = book(
        front_desk,
        local(2026, 1, 13),
        clients=[jordan],
        clinicians=[clinician],
        rule=Rule("MONTHLY", monthly_mode="weekday", count=4),
    )
    with tenant_context(org):
        second = result.series.occurrences.order_by("start")[1]
        with pytest.raises(ValidationError, match="monthly series can't move to another day"):
            services.update(
                second,
                actor=front_desk,
                expected_version=1,
                details=_details(second),
                start=local(2026, 2, 11),
                duration=50,
                scope=services.FOLLOWING,
            )
        services.update(
            second,
            actor=front_desk,
            expected_version=1,
            details=_details(second),
            start=local(2026, 2, 10, 15),
            duration=50,
            scope=services.FOLLOWING,
        )
        successor = AppointmentSeries.objects.get(previous=result.series)
        assert _starts(successor) == ["Tue 02-10 15:00", "Tue 03-10 15:00", "Tue 04-14 15:00"]
