"""Calendar subscriptions: links (hashed tokens, one active per calendar, revocation), the RFC 5545 feed read back
with the ``icalendar`` library (events, time zones across DST, no names), policies, audit, throttling, budgets."""

import datetime
import hashlib
import zoneinfo

import icalendar
import pytest
from django.conf import settings
from django.utils import timezone

from accounts.people.models import RoleAssignment
from accounts.roles import Role
from audit.models import AuditEvent
from conftest import host_of, rls_queries
from scheduling.appointments import services
from scheduling.appointments.models import Appointment
from scheduling.appointments.recurrence import Rule
from scheduling.feeds import services as feeds
from scheduling.feeds.models import CalendarFeed
from scheduling.tests.conftest import NEW_YORK, local
from tenancy.context import tenant_context

UTC = datetime.UTC


@pytest.fixture
def jordan(org, clinician, make_chart_client):
    return make_chart_client(org, "Jordan", "Rivers", primary=clinician)


@pytest.fixture
def maya(org, supervisor, make_chart_client):
    return make_chart_client(org, "Maya", "Okafor", primary=supervisor)


def soon(days: int, hour: int = 10) -> datetime.datetime:
    today = timezone.now().astimezone(NEW_YORK).date()
    return datetime.datetime.combine(today + datetime.timedelta(days=days), datetime.time(hour), tzinfo=NEW_YORK)


def make_feed(org, actor, **kwargs) -> str:
    with tenant_context(org):
        return feeds.create_feed(actor=actor, **{"kind": "own", **kwargs})[1]


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events(calendar: icalendar.Calendar) -> list:
    return sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))


def test_only_the_hash_of_the_token_is_stored_and_creation_is_audited(org, clinician):
    token = make_feed(org, clinician)
    with tenant_context(org):
        feed = CalendarFeed.objects.get()
        assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest() and len(token) >= 40
        assert token not in str(CalendarFeed.objects.values().get())
        event = AuditEvent.objects.get(action="schedule.feed_created")
        assert token not in str(event.detail) and event.actor == clinician.user


@pytest.mark.dated
def test_the_feed_shows_own_appointments_without_names(
    org, book, jordan, maya, clinician, supervisor, front_desk, clinic_client, rooms, telehealth
):
    in_room = book(front_desk, soon(3), clients=[jordan], clinicians=[clinician], room=rooms[0])
    video = book(front_desk, soon(4), clients=[jordan], clinicians=[clinician], kind="video", location=telehealth)
    book(front_desk, soon(3, 14), clients=[maya], clinicians=[supervisor])  # someone else's
    book(front_desk, soon(200), clients=[jordan], clinicians=[clinician])  # beyond 180 days
    book(front_desk, soon(-40), clients=[jordan], clinicians=[clinician])  # before 30 days back
    cancelled = book(front_desk, soon(5), clients=[jordan], clinicians=[clinician]).appointments[0]
    with tenant_context(org):
        Appointment.objects.update(staff_notes="Needs a Spanish interpreter")
        services.cancel(cancelled, actor=front_desk, expected_version=1, cancelled_by="client", reason="Jordan ill")
    token = make_feed(org, clinician)
    response = clinic_client(org).get(f"/schedule/feed/{token}.ics")
    assert response["Cache-Control"] == "private, no-store"
    calendar = parse(response)
    found = events(calendar)
    assert [str(e["summary"]) for e in found] == [f"Appointment: #{jordan.number}"] * 3
    first, second, third = found
    domain = host_of(org)
    assert str(first["uid"]) == f"appointment-{in_room.appointments[0].pk}@{domain}"
    assert str(second["uid"]) == f"appointment-{video.appointments[0].pk}@{domain}"
    assert str(first["location"]) == "Main Street, Room 1" and str(second["location"]) == "Telehealth"
    assert str(first["status"]) == "CONFIRMED" and str(third["status"]) == "CANCELLED"
    assert first.decoded("dtstart") == soon(3) and first.decoded("dtend") == soon(3) + datetime.timedelta(minutes=50)
    body = response.content.decode()
    for secret in ("Jordan", "Rivers", "Maya", "Okafor", "ill", "Spanish", "DESCRIPTION"):
        assert secret not in body
    fetched = AuditEvent.objects.get(action="schedule.feed_fetched")
    assert fetched.actor == clinician.user and fetched.detail == {"kind": "own", "events": 3}
    assert token not in str(fetched.detail)


def test_uids_are_stable_and_a_moved_appointment_keeps_its_uid(org, book, jordan, clinician, front_desk, clinic_client):
    appointment = book(front_desk, soon(6), clients=[jordan], clinicians=[clinician]).appointments[0]
    token = make_feed(org, clinician)
    client = clinic_client(org)
    before = events(parse(client.get(f"/schedule/feed/{token}.ics")))[0]
    with tenant_context(org):
        services.move(appointment, actor=front_desk, expected_version=1, start=soon(6, 13), end=soon(6, 14))
    after = events(parse(client.get(f"/schedule/feed/{token}.ics")))[0]
    assert before["uid"] == after["uid"] and after.decoded("dtstart") == soon(6, 13)
    assert int(after["sequence"]) > int(before["sequence"])


def test_times_carry_the_clinic_zone_across_daylight_saving(org, book, jordan, clinician, front_desk):
    """A weekly 10:00 series over the March 8, 2026 change: 15:00 UTC before, 14:00 UTC after, 10:00 local both."""
    book(front_desk, local(2026, 3, 2), clients=[jordan], clinicians=[clinician], rule=Rule("WEEKLY", count=3))
    with tenant_context(org):
        feed, _token = feeds.create_feed(actor=clinician, kind="own")
        body, count = feeds.build_calendar(
            feed, organization=org, uid_domain="x.test", now=datetime.datetime(2026, 2, 20, tzinfo=UTC)
        )
    calendar = icalendar.Calendar.from_ical(body)
    starts = [e.decoded("dtstart") for e in events(calendar)]
    assert count == 3 and all(str(e["dtstart"].params["TZID"]) == "America/New_York" for e in events(calendar))
    assert [s.astimezone(UTC).hour for s in starts] == [15, 14, 14]
    assert [s.astimezone(zoneinfo.ZoneInfo("America/New_York")).hour for s in starts] == [10, 10, 10]
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["tzid"]) for z in zones] == ["America/New_York"]
    assert {c.name for c in zones[0].subcomponents} >= {"STANDARD", "DAYLIGHT"}


def test_initials_only_for_clients_the_owner_may_see_by_name(
    org, book, jordan, maya, clinician, front_desk, make_chart_client
):
    group = make_chart_client(org, "Ana", "Lee", primary=clinician)
    book(front_desk, soon(2), clients=[jordan, maya, group], clinicians=[clinician], kind="group")
    with tenant_context(org):
        feed, _token = feeds.create_feed(actor=clinician, kind="own", client_label="initials")
        body, _count = feeds.build_calendar(feed, organization=org, uid_domain="x.test")
    summary = str(events(icalendar.Calendar.from_ical(body))[0]["summary"])
    assert summary == f"Appointment: J.R., #{maya.number}, A.L."


def test_front_desk_subscribes_to_a_clinician_or_a_room_but_not_to_own(
    org, book, jordan, clinician, front_desk, clinic_client, rooms
):
    book(front_desk, soon(2), clients=[jordan], clinicians=[clinician], room=rooms[1])
    client = clinic_client(org, front_desk)
    page = client.get("/schedule/subscriptions/").content.decode()
    assert 'value="own"' not in page and 'value="clinician"' in page
    assert client.post("/schedule/subscriptions/", {"kind": "own", "client_label": "number"}).status_code == 400
    created = client.post(
        "/schedule/subscriptions/", {"kind": "room", "room": rooms[1].pk, "client_label": "number"}, follow=True
    )
    url = created.context["new_url"]
    assert url.startswith(f"http://{host_of(org)}/schedule/feed/") and url.endswith(".ics")
    found = events(parse(clinic_client(org).get(url.split(host_of(org))[1])))
    assert str(found[0]["location"]) == "Main Street, Room 2" and str(found[0]["summary"]).endswith(f"#{jordan.number}")
    # The link is shown once: the page doesn't show it again.
    assert url not in client.get("/schedule/subscriptions/").content.decode()


def test_a_clinician_may_not_subscribe_to_others_and_billing_has_no_feeds(
    org, clinician, supervisor, billing, clinic_client, rooms
):
    client = clinic_client(org, clinician)
    refused = client.post(
        "/schedule/subscriptions/", {"kind": "clinician", "clinician": supervisor.pk, "client_label": "number"}
    )
    assert refused.status_code == 400
    with tenant_context(org):
        assert not CalendarFeed.objects.exists()
        with pytest.raises(Exception, match="can't subscribe"):
            feeds.create_feed(actor=clinician, kind="room", room=rooms[0])
    assert clinic_client(org, billing).get("/schedule/subscriptions/").status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=billing.user).exists()


def test_revoked_regenerated_and_unknown_links_answer_404(org, clinician, clinic_client):
    token = make_feed(org, clinician)
    anonymous, owner = clinic_client(org), clinic_client(org, clinician)
    assert anonymous.get(f"/schedule/feed/{token}.ics").status_code == 200
    with tenant_context(org):
        feed = CalendarFeed.objects.get()
    fresh = owner.post(f"/schedule/subscriptions/{feed.pk}/new-link/", follow=True)
    new_url = fresh.context["new_url"]
    assert anonymous.get(f"/schedule/feed/{token}.ics").status_code == 404
    new_path = new_url.split(host_of(org))[1]
    assert anonymous.get(new_path).status_code == 200
    with tenant_context(org):
        current = CalendarFeed.objects.get(revoked_at__isnull=True)
    assert owner.post(f"/schedule/subscriptions/{current.pk}/remove/").status_code == 302
    assert anonymous.get(new_path).status_code == 404
    assert anonymous.get("/schedule/feed/" + "A" * 43 + ".ics").status_code == 404
    refused = AuditEvent.objects.filter(action="schedule.feed_refused")
    assert refused.count() == 3 and all(token not in str(e.detail) for e in refused)
    assert AuditEvent.objects.filter(action="schedule.feed_revoked").count() == 1


def test_a_feed_stops_when_its_owner_leaves_or_loses_the_role(org, clinician, clinic_client):
    token = make_feed(org, clinician)
    anonymous = clinic_client(org)
    with tenant_context(org):
        RoleAssignment.objects.filter(membership=clinician).delete()
    assert anonymous.get(f"/schedule/feed/{token}.ics").status_code == 404
    with tenant_context(org):
        RoleAssignment.objects.create(membership=clinician, role=Role.CLINICIAN)
        clinician.is_active = False
        clinician.save()
    assert anonymous.get(f"/schedule/feed/{token}.ics").status_code == 404


def test_another_clinics_link_and_feed_rows_are_not_found(org, other_org, clinician, outsider, clinic_client):
    token = make_feed(org, clinician)
    assert clinic_client(other_org).get(f"/schedule/feed/{token}.ics").status_code == 404
    with tenant_context(org):
        feed = CalendarFeed.objects.get()
    with tenant_context(other_org):
        RoleAssignment.objects.create(membership=outsider, role=Role.FRONT_DESK)
    stranger = clinic_client(other_org, outsider)
    assert stranger.post(f"/schedule/subscriptions/{feed.pk}/remove/").status_code == 404
    assert stranger.post(f"/schedule/subscriptions/{feed.pk}/new-link/").status_code == 404
    assert AuditEvent.objects.filter(action="access.not_found", object_id=str(feed.pk)).count() == 2
    with tenant_context(org):
        assert CalendarFeed.objects.get().revoked_at is None


def test_fetches_are_rate_limited_per_link(org, clinician, clinic_client, settings):
    settings.HEARTH_FEED_RATE = "2/m"
    token = make_feed(org, clinician)
    client = clinic_client(org)
    assert client.head(f"/schedule/feed/{token}.ics").status_code == 200  # calendar apps may ask HEAD first
    assert [client.get(f"/schedule/feed/{token}.ics").status_code for _ in range(2)] == [200, 429]
    limited = AuditEvent.objects.get(action="schedule.feed_rate_limited")
    assert token not in str(limited.detail) and limited.outcome == "denied"


def test_the_feed_has_a_fixed_query_count(
    org, book, make_chart_client, clinician, front_desk, clinic_client, django_assert_max_num_queries
):
    for i in range(5):
        person = make_chart_client(org, f"Client{i}", "Test", primary=clinician)
        book(front_desk, soon(i + 1, 9 + i), clients=[person], clinicians=[clinician], rule=Rule("WEEKLY", count=8))
    token = make_feed(org, clinician, client_label="initials")
    client = clinic_client(org)
    with django_assert_max_num_queries(11 + rls_queries()):
        calendar = parse(client.get(f"/schedule/feed/{token}.ics"))
    assert len(calendar.walk("VEVENT")) == 40
    owner = clinic_client(org, clinician)
    owner.get("/")
    with django_assert_max_num_queries(16 + rls_queries()):
        assert owner.get("/schedule/subscriptions/").status_code == 200


def test_the_uid_domain_is_the_clinic_host(org):
    assert host_of(org) == f"riverside.{settings.HEARTH_BASE_DOMAIN}"


def test_fetches_are_rate_limited_per_address_across_links(org, clinician, supervisor, clinic_client, settings):
    settings.HEARTH_FEED_ADDRESS_RATE = "3/m"
    tokens = [make_feed(org, clinician), make_feed(org, supervisor)]
    client = clinic_client(org)
    codes = [client.get(f"/schedule/feed/{tokens[i % 2]}.ics").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
