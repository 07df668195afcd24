"""Booking, series, closures, conflicts and their messages, through the service API."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from scheduling.appointments import recurrence, services
from scheduling.appointments.models import Appointment, AppointmentSeries, ClinicClosure, Status
from scheduling.appointments.recurrence import Rule
from scheduling.tests.conftest import local
from tenancy.context import tenant_context


@pytest.fixture
def people(org, clinician, supervisor, front_desk, make_chart_client):
    jordan = make_chart_client(org, "Jordan", "Rivers", primary=clinician)
    maya = make_chart_client(org, "Maya", "Okafor", primary=supervisor)
    return {"jordan": jordan, "maya": maya}


def test_a_single_booking_is_stored_in_utc_with_its_links_and_audited(org, book, people, clinician, front_desk, rooms):
    result = book(front_desk, local(2026, 3, 10), clients=[people["jordan"]], clinicians=[clinician], room=rooms[0])
    with tenant_context(org):
        appointment = Appointment.objects.get()
        assert appointment.start == datetime.datetime(2026, 3, 10, 14, 0, tzinfo=datetime.UTC)
        assert appointment.duration == 50
        assert list(appointment.clients.all()) == [people["jordan"]]
        assert list(appointment.clinicians.all()) == [clinician]
        event = AuditEvent.objects.get(action="appointment.booked")
    assert result.series is None
    assert event.client_id == people["jordan"].pk
    assert event.detail["appointment_ids"] == [appointment.pk]


def test_a_weekly_series_keeps_its_wall_clock_time_across_dst(org, book, people, clinician, front_desk):
    rule = Rule("WEEKLY", weekdays=(1,), count=4)  # Tuesdays from 3 March 2026; clocks change on 8 March
    result = book(front_desk, local(2026, 3, 3), clients=[people["jordan"]], clinicians=[clinician], rule=rule)
    with tenant_context(org):
        starts = [recurrence.to_local(a.start, "America/New_York") for a in Appointment.objects.order_by("start")]
        series = AppointmentSeries.objects.get()
    assert [s.isoformat() for s in starts] == [
        "2026-03-03T10:00:00",
        "2026-03-10T10:00:00",
        "2026-03-17T10:00:00",
        "2026-03-24T10:00:00",
    ]
    assert len(result.appointments) == 4 and series.count == 4 and series.time_zone == "America/New_York"


def test_closures_refuse_a_single_booking_and_are_skipped_or_flagged_in_a_series(
    org, book, people, clinician, front_desk, site
):
    with tenant_context(org):
        ClinicClosure.objects.create(
            name="Staff training", start_date=datetime.date(2026, 3, 17), end_date=datetime.date(2026, 3, 17)
        )
    with pytest.raises(ValidationError, match=r"closed on Tue Mar 17 \(Staff training\)"):
        book(front_desk, local(2026, 3, 17), clients=[people["jordan"]], clinicians=[clinician])
    rule = Rule("WEEKLY", weekdays=(1,), count=4)
    skipped = book(front_desk, local(2026, 3, 10), clients=[people["jordan"]], clinicians=[clinician], rule=rule)
    assert skipped.skipped == [(datetime.date(2026, 3, 17), "Staff training")]
    assert len(skipped.appointments) == 3
    with tenant_context(org):
        assert skipped.series.excluded == ["2026-03-17T10:00:00"]
    flagged = book(
        front_desk,
        local(2026, 3, 10, 15),
        clients=[people["maya"]],
        clinicians=[clinician],
        rule=rule,
        closure_handling="flag",
    )
    assert len(flagged.appointments) == 4 and flagged.flagged == [(datetime.date(2026, 3, 17), "Staff training")]


def test_clinician_room_and_client_conflicts_are_refused_naming_each(
    org, book, people, clinician, supervisor, front_desk, rooms
):
    book(front_desk, local(2026, 3, 10), clients=[people["jordan"]], clinicians=[clinician], room=rooms[0])
    with pytest.raises(services.BookingRefused) as clash:
        book(front_desk, local(2026, 3, 10, 10, 30), clients=[people["maya"]], clinicians=[clinician], room=rooms[1])
    assert clash.value.messages == [
        "Carol Clinician is already booked Tue Mar 10, 10:00–10:50 (Individual therapy 50)."
    ]
    assert "Jordan" not in str(clash.value.messages)  # the other client is never named
    with pytest.raises(services.BookingRefused) as clash:
        book(front_desk, local(2026, 3, 10, 10, 30), clients=[people["maya"]], clinicians=[supervisor], room=rooms[0])
    assert clash.value.messages == ["Room 1 is already in use Tue Mar 10, 10:00–10:50."]
    with pytest.raises(services.BookingRefused) as clash:
        book(front_desk, local(2026, 3, 10, 10, 45), clients=[people["jordan"]], clinicians=[supervisor])
    assert clash.value.messages == ["Jordan Rivers already has an appointment Tue Mar 10, 10:00–10:50."]
    # Back to back is fine: 10:50 starts when the first ends.
    book(front_desk, local(2026, 3, 10, 10, 50), clients=[people["maya"]], clinicians=[clinician], room=rooms[0])


def test_a_conflict_message_names_a_client_the_booker_may_not_see_by_number_only(
    org, book, people, clinician, supervisor, front_desk
):
    # Sam (supervisor) books his own appointment for Maya, then a joint session that clashes for Jordan,
    # who is Carol's client: Sam may not see Jordan's name.
    book(front_desk, local(2026, 3, 10), clients=[people["jordan"]], clinicians=[clinician])
    with pytest.raises(services.BookingRefused) as clash:
        book(supervisor, local(2026, 3, 10), clients=[people["jordan"]], clinicians=[supervisor])
    text = " ".join(clash.value.messages)
    assert f"Client #{people['jordan'].number} already has an appointment" in text and "Jordan" not in text


def test_conflicts_are_found_across_a_dst_change_in_utc(org, book, people, clinician, front_desk):
    # 10:00 on the Monday after spring-forward is 14:00 UTC; a series started in winter (15:00 UTC) must still
    # collide with it, because expansion happens in wall-clock time.
    book(front_desk, local(2026, 3, 9), clients=[people["maya"]], clinicians=[clinician])
    with pytest.raises(services.BookingRefused, match="Mon Mar 9, 10:00–10:50"):
        book(
            front_desk,
            local(2026, 3, 2),
            clients=[people["jordan"]],
            clinicians=[clinician],
            rule=Rule("WEEKLY", weekdays=(0,), count=3),
        )
    with tenant_context(org):
        assert Appointment.objects.count() == 1  # all or nothing


def test_the_clinician_may_override_their_own_double_booking_and_it_is_audited(
    org, book, people, clinician, front_desk
):
    book(front_desk, local(2026, 3, 10), clients=[people["jordan"]], clinicians=[clinician])
    with pytest.raises(services.BookingRefused) as refused:
        book(front_desk, local(2026, 3, 10), clients=[people["maya"]], clinicians=[clinician], override=True)
    assert refused.value.overridable is False  # the front desk may not double-book a clinician
    with pytest.raises(services.BookingRefused) as refused:
        book(clinician, local(2026, 3, 10), clients=[people["maya"]], clinicians=[clinician])
    assert refused.value.overridable is True
    result = book(clinician, local(2026, 3, 10), clients=[people["maya"]], clinicians=[clinician], override=True)
    assert result.appointments[0].double_booked
    with tenant_context(org):
        event = AuditEvent.objects.get(action="appointment.double_booked")
    assert event.client_id == people["maya"].pk and event.detail["over_appointment_ids"]


def test_room_and_client_conflicts_cannot_be_overridden(org, book, people, clinician, front_desk, rooms):
    book(front_desk, local(2026, 3, 10), clients=[people["jordan"]], clinicians=[clinician], room=rooms[0])
    with pytest.raises(services.BookingRefused) as refused:
        book(clinician, local(2026, 3, 10), clients=[people["jordan"]], clinicians=[clinician], override=True)
    assert not refused.value.overridable


@pytest.mark.parametrize(
    ("duration", "message"), [(0, "at least 5 minutes"), (-30, "at least 5 minutes"), (600, "at most 8 hours")]
)
def test_zero_negative_and_huge_durations_get_a_clear_message(book, people, clinician, front_desk, duration, message):
    with pytest.raises(ValidationError, match=message):
        book(front_desk, local(2026, 3, 10), clients=[people["jordan"]], clinicians=[clinician], duration=duration)


def test_the_database_refuses_an_appointment_longer_than_the_calendar_can_find(
    org, book, people, clinician, front_desk
):
    """The calendar's range scan relies on the 8-hour limit, so it holds for writes that skip the service too."""
    appointment = book(front_desk, local(2026, 3, 10), clients=[people["jordan"]], clinicians=[clinician])
    appointment = appointment.appointments[0]
    with tenant_context(org), pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(end=appointment.start + datetime.timedelta(hours=9))
    with tenant_context(org):
        Appointment.objects.filter(pk=appointment.pk).update(end=appointment.start + datetime.timedelta(hours=8))


def test_a_series_that_never_ends_is_refused(book, people, clinician, front_desk):
    with pytest.raises(ValidationError, match="A series must end"):
        book(front_desk, local(2026, 3, 10), clients=[people["jordan"]], clinicians=[clinician], rule=Rule("WEEKLY"))


def test_discharged_clients_inactive_locations_and_wrong_rooms_are_refused(
    org, book, people, clinician, front_desk, site, telehealth, rooms, make_chart_client
):
    gone = make_chart_client(org, "Pat", "Gone", discharge_date=datetime.date(2026, 1, 1))
    with tenant_context(org):
        type(gone).objects.filter(pk=gone.pk).update(status="discharged")
        gone.refresh_from_db()
    with pytest.raises(ValidationError, match="is discharged and can't be booked"):
        book(front_desk, local(2026, 3, 10), clients=[gone], clinicians=[clinician])
    with tenant_context(org):
        site.is_active = False
        site.save()
    with pytest.raises(ValidationError, match="Main Street is inactive"):
        book(front_desk, local(2026, 3, 10), clients=[people["jordan"]], clinicians=[clinician])
    with pytest.raises(ValidationError, match="choose a telehealth location"):
        book(front_desk, local(2026, 3, 10), clients=[people["jordan"]], clinicians=[clinician], kind="video")
    with pytest.raises(ValidationError, match="don't take a room"):
        book(
            front_desk,
            local(2026, 3, 10),
            clients=[people["jordan"]],
            clinicians=[clinician],
            kind="video",
            location=telehealth,
            room=rooms[0],
        )
    with pytest.raises(ValidationError, match="is for one client"):
        book(
            front_desk,
            local(2026, 3, 10),
            clients=[people["jordan"], people["maya"]],
            clinicians=[clinician],
            kind="video",
            location=telehealth,
        )


def test_a_group_appointment_takes_several_clients_and_checks_each(org, book, people, clinician, front_desk, rooms):
    result = book(
        front_desk,
        local(2026, 3, 11, 17),
        clients=[people["jordan"], people["maya"]],
        clinicians=[clinician],
        kind="group",
        room=rooms[1],
    )
    with tenant_context(org):
        assert result.appointments[0].clients.count() == 2
        assert AuditEvent.objects.filter(action="appointment.booked").count() == 2  # one per client


@pytest.mark.dated
def test_cancelling_marks_late_cancellations_and_keeps_the_record(org, book, people, clinician, front_desk):
    from django.utils import timezone

    soon = timezone.now() + datetime.timedelta(hours=3)
    later = timezone.now() + datetime.timedelta(days=3)
    a = book(front_desk, soon, clients=[people["jordan"]], clinicians=[clinician]).appointments[0]
    b = book(front_desk, later, clients=[people["jordan"]], clinicians=[clinician]).appointments[0]
    with tenant_context(org):
        services.cancel(a, actor=front_desk, expected_version=1, cancelled_by="client", reason="Car trouble")
        services.cancel(b, actor=front_desk, expected_version=1, cancelled_by="clinic", reason="Clinician ill")
        a.refresh_from_db()
        b.refresh_from_db()
        assert (a.status, a.late_cancellation, b.late_cancellation) == (Status.CANCELLED, True, False)
        with pytest.raises(ValidationError, match="already cancelled"):
            services.cancel(a, actor=front_desk, expected_version=2, cancelled_by="client", reason="again")
        # The freed time can be booked again.
        book(front_desk, later, clients=[people["maya"]], clinicians=[clinician])


def test_a_stale_version_is_refused(org, book, people, clinician, front_desk):
    from core.errors import ConflictError

    a = book(front_desk, local(2026, 3, 10), clients=[people["jordan"]], clinicians=[clinician]).appointments[0]
    with tenant_context(org):
        services.move(a, actor=front_desk, expected_version=1, start=local(2026, 3, 10, 11), end=local(2026, 3, 10, 12))
        with pytest.raises(ConflictError):
            services.move(
                a, actor=front_desk, expected_version=1, start=local(2026, 3, 10, 13), end=local(2026, 3, 10, 14)
            )
        with pytest.raises(ValidationError, match="The end must be after the start"):
            services.move(
                a, actor=front_desk, expected_version=2, start=local(2026, 3, 10, 13), end=local(2026, 3, 10, 12)
            )
        a.refresh_from_db()
        assert recurrence.to_local(a.start, "America/New_York").hour == 11 and a.version == 2
