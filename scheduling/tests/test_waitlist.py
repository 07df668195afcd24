"""The waitlist: services (add, change, remove, offer, book, decline), matching a freed slot, and the pages
through Django's test client with their permissions, audit events and query budgets."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from clients.records.models import Client, ClientStatus
from conftest import rls_queries
from core.errors import ConflictError
from scheduling.appointments import services
from scheduling.appointments.models import Appointment
from scheduling.availability.models import WorkingHours
from scheduling.tests.conftest import NEW_YORK
from scheduling.waitlist import selectors as wl
from scheduling.waitlist import services as waitlist
from scheduling.waitlist.models import OfferOutcome, WaitlistEntry, WaitlistStatus
from tenancy.context import tenant_context

ZONE = "America/New_York"


def next_weekday(weekday: int, hour: int = 10, weeks_ahead: int = 1) -> datetime.datetime:
    """A future local time on ``weekday`` (0 = Monday) at least a week away, in the clinic's zone."""
    today = timezone.now().astimezone(NEW_YORK).date()
    day = today + datetime.timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=NEW_YORK)


def _text(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def jordan(org, clinician, make_chart_client):
    return make_chart_client(org, "Jordan", "Rivers", primary=clinician)


def _waiting_client(org, make_chart_client, first, last, primary=None):
    person = make_chart_client(org, first, last, primary=primary)
    with tenant_context(org):
        Client.objects.filter(pk=person.pk).update(status=ClientStatus.WAITLIST, intake_date=None)
        person.refresh_from_db()
    return person


@pytest.fixture
def riley(org, make_chart_client):
    """A new client on Waitlist status, on nobody's caseload yet."""
    return _waiting_client(org, make_chart_client, "Riley", "Quinn")


@pytest.fixture
def add(org, types):
    def make(actor, client, kind="individual", **fields):
        with tenant_context(org):
            data = waitlist.EntryData(appointment_type=types[kind], **fields)
            return waitlist.add_entry(client, actor=actor, data=data)

    return make


def _slot(org, start, clinician, location, minutes=50, room=None, freed_by=None):
    return waitlist.Slot(start, start + datetime.timedelta(minutes=minutes), clinician, location, room, freed_by)


# --- Services ------------------------------------------------------------------------------------------------


def test_a_waitlist_client_and_an_active_client_are_added_and_audited(org, add, riley, jordan, front_desk):
    first = add(front_desk, riley, weekdays=[0, 2], windows=["evening"], notes="Prefers texts")
    second = add(front_desk, jordan, kind="intake")
    assert first.status == second.status == WaitlistStatus.WAITING
    with tenant_context(org):
        events = AuditEvent.objects.filter(action="waitlist.added").order_by("pk")
        assert [e.client_id for e in events] == [riley.pk, jordan.pk]
        assert all("Prefers" not in str(e.detail) for e in events)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (ClientStatus.DISCHARGED, "A client who is discharged can't be put on the waitlist."),
        (ClientStatus.ENTERED_IN_ERROR, "A client who is entered in error can't be put on the waitlist."),
    ],
)
def test_discharged_and_entered_in_error_clients_are_refused(status, message, org, add, jordan, front_desk):
    with tenant_context(org):
        Client.objects.filter(pk=jordan.pk).update(status=status)
        jordan.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        add(front_desk, jordan)
    assert refused.value.message_dict == {"client": [message]}


def test_bad_requests_get_specific_messages(org, add, riley, front_desk, clinician, make_member):
    add(front_desk, riley)
    with pytest.raises(ValidationError) as twice:
        add(front_desk, riley)
    assert "already on the waitlist for “Individual therapy 50”" in str(twice.value)
    with pytest.raises(ValidationError) as group:
        add(front_desk, riley, kind="group")
    assert "Group places aren't offered" in str(group.value)
    with pytest.raises(ValidationError) as both:
        add(front_desk, riley, kind="intake", clinician=clinician, clinician_title="LCSW")
    assert "not both" in str(both.value)
    gone = make_member(org, "gone", Role.CLINICIAN, active=False, name="Gone Clinician")
    with pytest.raises(ValidationError) as inactive:
        add(front_desk, riley, kind="intake", clinician=gone)
    assert "Gone Clinician doesn't take appointments" in str(inactive.value)
    with pytest.raises(ValidationError) as days:
        add(front_desk, riley, kind="intake", weekdays=[7], windows=["night"])
    assert set(days.value.message_dict) == {"weekdays", "windows"}
    with tenant_context(org):
        assert WaitlistEntry.objects.count() == 1


def test_a_stale_edit_is_refused_and_removal_needs_a_reason(org, add, riley, front_desk, types):
    entry = add(front_desk, riley)
    with tenant_context(org):
        data = waitlist.EntryData(appointment_type=types["individual"], priority="high")
        waitlist.update_entry(entry, actor=front_desk, expected_version=1, data=data)
        with pytest.raises(ConflictError):
            waitlist.update_entry(entry, actor=front_desk, expected_version=1, data=data)
        with pytest.raises(ValidationError) as no_reason:
            waitlist.remove_entry(entry, actor=front_desk, expected_version=2, reason=" ")
        assert "Give the reason" in str(no_reason.value)
        removed = waitlist.remove_entry(entry, actor=front_desk, expected_version=2, reason="Found care elsewhere")
        assert removed.status == WaitlistStatus.REMOVED and removed.removed_reason == "Found care elsewhere"
        assert AuditEvent.objects.get(action="waitlist.changed").detail == {"fields": ["priority"]}
    # Removed entries don't block a new request for the same type.
    add(front_desk, riley)


@pytest.mark.dated
def test_matching_ranks_by_date_added_and_respects_clinician_day_time_and_place(
    org, add, make_chart_client, front_desk, clinician, supervisor, site, telehealth
):
    monday_evening = next_weekday(0, hour=18)
    people = [_waiting_client(org, make_chart_client, f"Person{i}", "Test") for i in range(7)]
    oldest = add(front_desk, people[0])
    any_time = add(front_desk, people[1])
    add(front_desk, people[2], clinician=supervisor)  # wants someone else
    add(front_desk, people[3], weekdays=[1, 2])  # not Mondays
    add(front_desk, people[4], windows=["morning"])  # not evenings
    add(front_desk, people[5], kind="video")  # telehealth
    evening = add(front_desk, people[6], windows=["evening"], weekdays=[0], clinician=clinician)
    with tenant_context(org):
        WaitlistEntry.objects.filter(pk=oldest.pk).update(added_at=timezone.now() - datetime.timedelta(days=30))
        WaitlistEntry.objects.filter(pk=any_time.pk).update(added_at=timezone.now() - datetime.timedelta(days=10))
        matches = wl.matching_entries(front_desk, _slot(org, monday_evening, clinician, site), ZONE)
        assert [e.pk for e in matches] == [oldest.pk, any_time.pk, evening.pk]
        too_short = wl.matching_entries(front_desk, _slot(org, monday_evening, clinician, site, minutes=30), ZONE)
        assert too_short == []
        video = wl.matching_entries(front_desk, _slot(org, monday_evening, clinician, telehealth), ZONE)
        assert [e.client_id for e in video] == [people[5].pk]


def test_a_kind_of_clinician_matches_job_titles(org, add, riley, front_desk, clinician, supervisor, site):
    entry = add(front_desk, riley, clinician_title="lcsw")
    with tenant_context(org):
        clinician.title = "Therapist, LCSW"
        clinician.save()
        supervisor.title = "Psychologist"
        supervisor.save()
        start = next_weekday(2)
        assert wl.matching_entries(front_desk, _slot(org, start, clinician, site), ZONE) == [entry]
        assert wl.matching_entries(front_desk, _slot(org, start, supervisor, site), ZONE) == []


@pytest.mark.dated
def test_offer_book_and_decline(org, add, riley, front_desk, clinician, site, rooms):
    entry = add(front_desk, riley)
    start = next_weekday(1, hour=11)
    with tenant_context(org):
        offer = waitlist.offer(
            entry,
            actor=front_desk,
            expected_version=1,
            slot=_slot(org, start, clinician, site, room=rooms[0]),
            zone=ZONE,
        )
        entry.refresh_from_db()
        assert entry.status == WaitlistStatus.OFFERED and offer.outcome == OfferOutcome.PENDING
        assert wl.matching_entries(front_desk, _slot(org, start, clinician, site), ZONE) == []  # offered: not waiting
        added_at = entry.added_at
        waitlist.decline_offer(entry, actor=front_desk, expected_version=2, reason="Works Tuesdays")
        entry.refresh_from_db()
        assert entry.status == WaitlistStatus.WAITING and entry.added_at == added_at
        waitlist.offer(entry, actor=front_desk, expected_version=3, slot=_slot(org, start, clinician, site), zone=ZONE)
        appointment = waitlist.accept_offer(entry, actor=front_desk, expected_version=4, zone=ZONE)
        entry.refresh_from_db()
        assert entry.status == WaitlistStatus.BOOKED and entry.booked_appointment == appointment
        assert list(appointment.clients.all()) == [riley] and list(appointment.clinicians.all()) == [clinician]
        assert appointment.start == start and appointment.duration == 50
        assert [o.outcome for o in entry.offers.order_by("pk")] == [OfferOutcome.DECLINED, OfferOutcome.BOOKED]
        actions = list(AuditEvent.objects.filter(client_id=riley.pk).values_list("action", flat=True).order_by("pk"))
        assert actions[-5:] == [
            "waitlist.offered",
            "waitlist.declined",
            "waitlist.offered",
            "appointment.booked",
            "waitlist.booked",
        ]


@pytest.mark.dated
def test_offering_a_taken_or_past_slot_is_refused(
    org, add, book, riley, jordan, front_desk, clinician, supervisor, site
):
    entry = add(front_desk, riley)
    start = next_weekday(3)
    book(front_desk, start, clients=[jordan], clinicians=[clinician])
    with tenant_context(org):
        with pytest.raises(ValidationError) as taken:
            waitlist.offer(
                entry, actor=front_desk, expected_version=1, slot=_slot(org, start, clinician, site), zone=ZONE
            )
        assert "no longer free" in str(taken.value) and "Carol Clinician is already booked" in str(taken.value)
        past = timezone.now() - datetime.timedelta(days=1)
        with pytest.raises(ValidationError, match="This time has passed"):
            waitlist.offer(
                entry, actor=front_desk, expected_version=1, slot=_slot(org, past, supervisor, site), zone=ZONE
            )
        assert WaitlistEntry.objects.get(pk=entry.pk).status == WaitlistStatus.WAITING


def test_booking_an_offer_whose_time_was_taken_meanwhile_changes_nothing(
    org, add, book, riley, jordan, front_desk, clinician, site
):
    entry = add(front_desk, riley)
    start = next_weekday(4)
    with tenant_context(org):
        waitlist.offer(entry, actor=front_desk, expected_version=1, slot=_slot(org, start, clinician, site), zone=ZONE)
    book(front_desk, start, clients=[jordan], clinicians=[clinician])
    with tenant_context(org):
        with pytest.raises(services.BookingRefused):
            waitlist.accept_offer(entry, actor=front_desk, expected_version=2, zone=ZONE)
        entry.refresh_from_db()
        assert entry.status == WaitlistStatus.OFFERED and entry.offers.get().outcome == OfferOutcome.PENDING
        assert not Appointment.objects.filter(client_links__client=riley).exists()


# --- Pages ---------------------------------------------------------------------------------------------------


def test_front_desk_sees_the_waitlist_sorted_and_filtered(org, add, riley, jordan, front_desk, clinic_client):
    add(front_desk, riley)
    add(front_desk, jordan, kind="intake", priority="high")
    client = clinic_client(org, front_desk)
    text = _text(client.get("/schedule/waitlist/"))
    assert text.index("Riley Quinn") < text.index("Jordan Rivers")
    newest = _text(client.get("/schedule/waitlist/", {"sort": "-added"}))
    assert newest.index("Jordan Rivers") < newest.index("Riley Quinn")
    urgent = _text(client.get("/schedule/waitlist/", {"priority": "high"}))
    assert "Jordan Rivers" in urgent and "Riley Quinn" not in urgent
    assert AuditEvent.objects.filter(action="waitlist.viewed", actor=front_desk.user).count() == 3


def test_waitlist_status_clients_without_a_request_are_listed(org, riley, front_desk, clinic_client):
    text = _text(clinic_client(org, front_desk).get("/schedule/waitlist/"))
    assert "Waitlist status, nothing requested yet" in text and "Riley Quinn" in text


def test_a_clinician_sees_their_caseload_and_requests_naming_them_only_by_number_otherwise(
    org, add, riley, jordan, make_chart_client, front_desk, clinician, supervisor, clinic_client
):
    add(front_desk, jordan)  # Carol's caseload
    add(front_desk, riley, clinician=clinician)  # names Carol, not on her caseload
    other = _waiting_client(org, make_chart_client, "Sam", "Hidden", primary=supervisor)
    add(front_desk, other)
    text = _text(clinic_client(org, clinician).get("/schedule/waitlist/"))
    assert "Jordan Rivers" in text and f"Client #{riley.number}" in text
    assert "Riley" not in text and "Hidden" not in text and f"#{other.number}" not in text


def test_out_of_role_and_other_clinic_requests_are_refused_and_audited(
    org, other_org, add, riley, jordan, front_desk, billing, clinician, supervisor, outsider, clinic_client
):
    entry = add(front_desk, jordan)
    assert clinic_client(org, billing).get("/schedule/waitlist/").status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=billing.user).count() == 1
    # Sue has Jordan neither on her caseload nor requested: refused, audited.
    assert clinic_client(org, supervisor).get(f"/schedule/waitlist/{entry.pk}/").status_code == 403
    assert clinic_client(org, supervisor).post(f"/schedule/waitlist/{entry.pk}/remove/").status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=supervisor.user).count() == 2
    stranger = clinic_client(other_org, outsider)
    for path, method in [("", "get"), ("edit/", "get"), ("remove/", "post"), ("offer/", "post"), ("book/", "post")]:
        assert getattr(stranger, method)(f"/schedule/waitlist/{entry.pk}/{path}").status_code == 404, path
    assert AuditEvent.objects.filter(action="access.not_found", object_id=str(entry.pk)).count() == 5


def test_adding_from_the_chart_and_the_schedule_tab_shows_the_entry(org, riley, front_desk, clinic_client, types):
    client = clinic_client(org, front_desk)
    tab = _text(client.get(f"/clients/{riley.pk}/schedule/"))
    assert "Not on the waitlist." in tab and f"/schedule/waitlist/new/?client={riley.pk}" in tab
    form = client.get("/schedule/waitlist/new/", {"client": riley.pk})
    assert f'<option value="{riley.pk}" selected>' in form.content.decode()
    response = client.post(
        "/schedule/waitlist/new/",
        {
            "client": riley.pk,
            "appointment_type": types["intake"].pk,
            "weekdays": [0, 3],
            "windows": ["morning"],
            "priority": "routine",
            "notes": "Call after 3pm",
        },
    )
    assert response.status_code == 302
    tab = _text(client.get(f"/clients/{riley.pk}/schedule/"))
    assert "Intake assessment</a>: waiting" in tab and "Mon, Thu, morning" in tab
    refused = client.post(
        "/schedule/waitlist/new/", {"client": riley.pk, "appointment_type": types["intake"].pk, "priority": "routine"}
    )
    assert refused.status_code == 200 and "already on the waitlist" in _text(refused)


def test_a_stale_edit_form_is_refused_with_a_message(org, add, riley, front_desk, clinic_client, types):
    entry = add(front_desk, riley)
    client = clinic_client(org, front_desk)
    data = {"appointment_type": types["individual"].pk, "priority": "high", "version": 1}
    assert client.post(f"/schedule/waitlist/{entry.pk}/edit/", data).status_code == 302
    stale = client.post(f"/schedule/waitlist/{entry.pk}/edit/", {**data, "priority": "routine"})
    assert "Someone else changed this waitlist entry" in _text(stale)
    with tenant_context(org):
        assert WaitlistEntry.objects.get(pk=entry.pk).priority == "high"


def test_after_a_cancellation_staff_see_matching_clients_offer_and_book(
    org, add, book, riley, jordan, front_desk, clinician, clinic_client, rooms
):
    start = next_weekday(0, hour=14)
    appointment = book(front_desk, start, clients=[jordan], clinicians=[clinician], room=rooms[0]).appointments[0]
    entry = add(front_desk, riley, windows=["afternoon"])
    client = clinic_client(org, front_desk)
    cancelled = client.post(
        f"/schedule/appointments/{appointment.pk}/cancel/",
        {"version": 1, "cancelled_by": "client", "reason": "Moving away"},
        follow=True,
    )
    text = _text(cancelled)
    assert "Appointment cancelled. 1 waitlisted client matches this slot." in text
    assert f"/schedule/waitlist/matches/?appointment={appointment.pk}" in text
    matches = _text(client.get("/schedule/waitlist/matches/", {"appointment": appointment.pk}))
    assert "Riley Quinn" in matches
    offered = client.post(
        f"/schedule/waitlist/{entry.pk}/offer/",
        {
            "version": 1,
            "start": appointment.start.isoformat(),
            "clinician": clinician.pk,
            "location": appointment.location_id,
            "room": rooms[0].pk,
            "minutes": 50,
            "freed_by": appointment.pk,
            "back": "matches",
        },
        follow=True,
    )
    assert "Offer recorded" in _text(offered)
    booked = client.post(f"/schedule/waitlist/{entry.pk}/book/", {"version": 2}, follow=True)
    assert "Booked from the waitlist." in _text(booked)
    with tenant_context(org):
        entry.refresh_from_db()
        assert entry.status == WaitlistStatus.BOOKED
        assert entry.offers.get().freed_by_id == appointment.pk
        assert entry.booked_appointment.room_id == rooms[0].pk


def test_a_cancelled_past_or_open_appointment_has_no_slot_to_offer(
    org, book, jordan, front_desk, clinician, clinic_client
):
    appointment = book(front_desk, next_weekday(2), clients=[jordan], clinicians=[clinician]).appointments[0]
    text = _text(clinic_client(org, front_desk).get("/schedule/waitlist/matches/", {"appointment": appointment.pk}))
    assert "isn't a cancelled future one" in text
    garbage = _text(clinic_client(org, front_desk).get("/schedule/waitlist/matches/", {"start": "soon"}))
    assert "Choose a slot from the open times" in garbage


def test_open_times_link_to_waitlist_matches(org, add, riley, front_desk, clinician, site, clinic_client):
    with tenant_context(org):
        for weekday in range(5):
            WorkingHours.objects.create(
                clinician=clinician,
                weekday=weekday,
                location=site,
                start_time=datetime.time(9),
                end_time=datetime.time(17),
            )
    entry = add(front_desk, riley)
    client = clinic_client(org, front_desk)
    page = client.get("/schedule/open-slots/", {"clinician": clinician.pk, "duration": 50})
    link = next(
        part for part in page.content.decode().split('href="') if part.startswith("/schedule/waitlist/matches/")
    )
    matches = _text(client.get(unescape(link.split('"')[0])))
    assert "Riley Quinn" in matches and "Carol Clinician" in matches
    entry_page = _text(client.get(f"/schedule/waitlist/{entry.pk}/"))
    assert "Open times that suit" in entry_page and entry_page.count("Offer<span") == 8


def test_waitlist_pages_have_a_fixed_query_count(
    org, add, make_chart_client, front_desk, clinician, clinic_client, django_assert_max_num_queries, site
):
    for i in range(12):
        person = _waiting_client(org, make_chart_client, f"Person{i}", "Test", primary=clinician if i % 2 else None)
        add(front_desk, person, clinician=clinician if i % 3 == 0 else None)
    for member in (front_desk, clinician):
        client = clinic_client(org, member)
        client.get("/")
        with django_assert_max_num_queries(17 + rls_queries()):
            assert client.get("/schedule/waitlist/").status_code == 200
    slot = next_weekday(0, hour=9)
    client = clinic_client(org, front_desk)
    end = slot + datetime.timedelta(minutes=50)
    query = {"start": slot.isoformat(), "end": end.isoformat(), "clinician": clinician.pk, "location": site.pk}
    with django_assert_max_num_queries(17 + rls_queries()):
        response = client.get("/schedule/waitlist/matches/", query)
    assert response.status_code == 200 and _text(response).count("Offer<span") == 12
    entry = WaitlistEntry.all_tenants.filter(organization=org).first()
    with django_assert_max_num_queries(20 + rls_queries()):
        assert client.get(f"/schedule/waitlist/{entry.pk}/").status_code == 200


def test_declining_and_removing_through_the_pages(org, add, riley, front_desk, clinician, site, clinic_client):
    entry = add(front_desk, riley)
    with tenant_context(org):
        slot = _slot(org, next_weekday(1), clinician, site)
        waitlist.offer(entry, actor=front_desk, expected_version=1, slot=slot, zone=ZONE)
    client = clinic_client(org, front_desk)
    page = _text(client.get(f"/schedule/waitlist/{entry.pk}/"))
    assert "Offered:" in page and "Accepted: book it" in page
    declined = client.post(f"/schedule/waitlist/{entry.pk}/decline/", {"version": 2, "reason": "Busy"}, follow=True)
    assert "keeps their place" in _text(declined) and "Declined (Busy)" in _text(declined)
    no_reason = client.post(f"/schedule/waitlist/{entry.pk}/remove/", {"version": 3, "reason": ""}, follow=True)
    assert "Give the reason for removing this entry" in _text(no_reason)
    stale = client.post(f"/schedule/waitlist/{entry.pk}/remove/", {"version": 1, "reason": "Moved"}, follow=True)
    assert "Someone else changed this waitlist entry" in _text(stale)
    removed = client.post(f"/schedule/waitlist/{entry.pk}/remove/", {"version": 3, "reason": "Moved"}, follow=True)
    assert "Removed from the waitlist." in _text(removed) and "Removed: Moved" in _text(removed)
    with tenant_context(org):
        assert WaitlistEntry.objects.get(pk=entry.pk).status == WaitlistStatus.REMOVED
