"""Tickets through the real views: creating, seeing, changing, and every refusal."""

import datetime
import zoneinfo
from html import unescape

import pytest
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from conftest import rls_queries
from tenancy.context import tenant_context
from tickets import services
from tickets.models import Priority, Status, Ticket, TicketAssociate, TicketUpdate


def _text(response) -> str:
    return unescape(response.content.decode())


def _new(**changes) -> dict:
    data = {
        "title": "Printer on the second floor jams",
        "priority": str(Priority.MEDIUM),
        "description": "Client 1001's statement came out blank after I pressed print.",
        "assignee": "self",
        "opened_from": "/clients/?q=rivers",
    }
    data.update(changes)
    return data


def _edit(ticket: Ticket, **changes) -> dict:
    data = {
        "version": str(ticket.version),
        "title": ticket.title,
        "status": ticket.status,
        "priority": str(ticket.priority),
        "date_due": ticket.date_due.isoformat() if ticket.date_due else "",
        "assignee": str(ticket.assignee_id) if ticket.assignee_id else "",
        "client_number": "",
        "description": ticket.description,
    }
    data.update(changes)
    return data


def _fresh(ticket: Ticket) -> Ticket:
    return Ticket.all_tenants.get(pk=ticket.pk)


# --- Creating ------------------------------------------------------------------------------------------------


def test_creating_a_ticket_numbers_it_and_records_where_it_came_from(org, clinician, clinic_client):
    client = clinic_client(org, clinician)
    first = client.post("/tickets/new/", _new())
    second = client.post("/tickets/new/", _new(title="Scanner offline"))
    assert first.status_code == second.status_code == 302
    tickets = list(Ticket.all_tenants.order_by("number"))
    assert [t.number for t in tickets] == [1, 2]
    ticket = tickets[0]
    assert first["Location"] == f"/tickets/{ticket.pk}/"
    assert ticket.opened_from == "/clients/"  # the query string (a name search) is never kept
    assert ticket.module == "Clients"
    assert ticket.status == Status.NEW and ticket.assignee == clinician and ticket.created_by == clinician
    assert ticket.due_by is not None and ticket.due_by - ticket.created_at == datetime.timedelta(days=7)
    event = AuditEvent.objects.get(action="ticket.created", object_id=str(ticket.pk))
    assert event.actor == clinician.user and event.detail == {"number": 1, "sent_to_vendor": False}


def test_the_help_button_is_on_every_page_and_opens_the_form_as_a_fragment(org, clinician, clinic_client):
    client = clinic_client(org, clinician)
    home = _text(client.get("/clients/"))
    assert 'data-hx-get="/tickets/new/?from=/clients/"' in home
    assert 'href="/tickets/new/?from=/clients/"' in home  # and a plain link without JavaScript
    fragment = client.get("/tickets/new/", {"from": "/clients/"}, HTTP_HX_REQUEST="true")
    text = _text(fragment)
    assert "<html" not in text and 'data-hx-post="/tickets/new/"' in text
    assert "Titles must not hold PHI" not in text and "they must not hold PHI" in text
    assert "Crisis — within 60–90 minutes; only when you cannot work" in text
    page = _text(client.get("/tickets/new/", {"from": "/clients/"}))
    assert "<html" in page and "data-hx-post" not in page.split("<form", 2)[-1].split(">")[0]


def test_creating_from_the_dialog_returns_a_confirmation_fragment(org, clinician, front_desk, clinic_client):
    response = clinic_client(org, clinician).post(
        "/tickets/new/", _new(assignee=str(front_desk.pk)), HTTP_HX_REQUEST="true"
    )
    text = _text(response)
    assert response.status_code == 200 and "Ticket 1 created" in text and "<html" not in text
    ticket = Ticket.all_tenants.get()
    assert ticket.assignee == front_desk
    assert TicketAssociate.all_tenants.filter(ticket=ticket, membership=clinician).exists()  # the asker follows it


def test_a_dialog_error_comes_back_in_the_dialog(org, clinician, clinic_client):
    response = clinic_client(org, clinician).post("/tickets/new/", _new(title=""), HTTP_HX_REQUEST="true")
    text = _text(response)
    assert response.status_code == 200 and "<html" not in text and "This field is required." in text
    assert Ticket.all_tenants.count() == 0


@pytest.mark.parametrize(
    ("title", "named"),
    [
        ("Jordan Rivers can't log in to the portal", "a client's name (“Jordan Rivers”)"),
        ("Zbigniewski statement wrong", "a client's surname (“Zbigniewski”)"),
        ("Client {number} statement wrong", "a client number (“{number}”)"),
        ("DOB 04/12/1990 rejected", "a date that could be a birth date (“04/12/1990”)"),
        ("SSN 123-45-6789 on the claim", "an SSN (“123-45-6789”)"),
        ("Call back 555-123-4567", "a phone number (“555-123-4567”)"),
        ("Bounce from jordan@example.com", "an email address (“jordan@example.com”)"),
    ],
)
def test_a_title_with_phi_is_refused_naming_what_was_found(
    title, named, org, front_desk, make_chart_client, clinic_client
):
    jordan = make_chart_client(org, "Jordan", "Rivers")
    make_chart_client(org, "Mia", "Zbigniewski")
    title, named = title.format(number=jordan.number), named.format(number=jordan.number)
    response = clinic_client(org, front_desk).post("/tickets/new/", _new(title=title))
    assert response.status_code == 200
    assert named in _text(response)
    assert "Titles must not hold PHI" in _text(response)
    assert Ticket.all_tenants.count() == 0


@pytest.mark.dated
def test_a_due_date_in_the_past_is_refused(org, clinician, clinic_client):
    zone = zoneinfo.ZoneInfo(org.time_zone)
    yesterday = timezone.localdate(timezone=zone) - datetime.timedelta(days=1)
    response = clinic_client(org, clinician).post("/tickets/new/", _new(date_due=yesterday.isoformat()))
    assert "The date due can't be in the past." in _text(response)
    assert Ticket.all_tenants.count() == 0
    today = yesterday + datetime.timedelta(days=1)
    assert clinic_client(org, clinician).post("/tickets/new/", _new(date_due=today.isoformat())).status_code == 302


def test_assigning_to_a_deactivated_or_foreign_user_is_refused(org, clinician, make_member, outsider, clinic_client):
    gone = make_member(org, "gone", Role.FRONT_DESK, active=False)
    client = clinic_client(org, clinician)
    for assignee in (gone, outsider):
        response = client.post("/tickets/new/", _new(assignee=str(assignee.pk)))
        assert "Assign the ticket to an active staff member of this clinic." in _text(response)
    assert Ticket.all_tenants.count() == 0


def test_the_service_refuses_a_deactivated_assignee_too(org, clinician, make_member, in_clinic):
    from django.core.exceptions import ValidationError

    gone = make_member(org, "gone", Role.FRONT_DESK, active=False)
    with pytest.raises(ValidationError) as caught:
        services.create_ticket(actor=clinician, title="Scanner offline", assignee=gone)
    assert "active staff member" in str(caught.value)
    assert Ticket.all_tenants.count() == 0


def test_only_clients_the_person_may_see_can_be_linked(org, clinician, supervisor, make_chart_client, clinic_client):
    mine = make_chart_client(org, "Avery", "Stone", primary=clinician)
    theirs = make_chart_client(org, "Blake", "Moss", primary=supervisor)
    client = clinic_client(org, clinician)
    refused = client.post("/tickets/new/", _new(client_number=str(theirs.number)))
    assert f"No client number {theirs.number} that you can see." in _text(refused)
    assert client.post("/tickets/new/", _new(client_number=str(mine.number))).status_code == 302
    ticket = Ticket.all_tenants.get()
    assert ticket.client == mine
    assert AuditEvent.objects.get(action="ticket.created").client_id == mine.pk  # a client-linked ticket is PHI
    options = _text(client.post("/tickets/client-search/", {"client_number": "o"}))
    assert options.strip() == ""  # one letter finds nobody
    options = _text(client.post("/tickets/client-search/", {"client_number": "ston"}))
    assert "Avery Stone" in options and "Blake" not in options
    assert "Blake" not in _text(client.post("/tickets/client-search/", {"client_number": "moss"}))


def test_the_help_button_on_a_chart_offers_that_client(org, front_desk, make_chart_client, clinic_client):
    record = make_chart_client(org)
    form = _text(clinic_client(org, front_desk).get("/tickets/new/", {"from": f"/clients/{record.pk}/insurance/"}))
    assert f'value="{record.number}"' in form


def test_only_champions_see_and_may_use_send_to_vendor(org, clinician, champion, clinic_client):
    plain = _text(clinic_client(org, clinician).get("/tickets/new/"))
    assert "Send to vendor" not in plain and "Chad Champion" in plain  # told to hand it to their champion
    clinic_client(org, clinician).post("/tickets/new/", _new(send_to_vendor="on"))
    assert Ticket.all_tenants.get().sent_to_vendor_at is None  # the field is not there for them: ignored

    assert "Send to vendor" in _text(clinic_client(org, champion).get("/tickets/new/"))
    clinic_client(org, champion).post("/tickets/new/", _new(title="Reports time out", send_to_vendor="on"))
    sent = Ticket.all_tenants.get(title="Reports time out")
    assert sent.sent_to_vendor_at is not None and sent.sent_to_vendor_by == champion
    assert sent.status == Status.WAITING_VENDOR


def test_the_staff_quick_search_narrows_the_pick_list_to_active_staff(
    org, clinician, front_desk, billing, make_member, outsider, clinic_client
):
    make_member(org, "billy", Role.FRONT_DESK, active=False, name="Billy Gone")
    client = clinic_client(org, clinician)
    text = _text(
        client.get("/tickets/staff-search/", {"assignee_q": "bil", "assignee": "self", "field": "nt_assignee"})
    )
    assert 'id="nt_assignee"' in text
    assert f'<option value="{billing.pk}" selected>Bill Billing</option>' in text
    assert "Billy Gone" not in text and "Frank" not in text and "Oscar" not in text
    assert "1 staff member found" in text
    everyone = _text(client.get("/tickets/staff-search/", {"assignee_q": "", "assignee": str(front_desk.pk)}))
    assert f'<option value="{front_desk.pk}" selected>' in everyone and "Carol Clinician" in everyone


# --- Seeing ----------------------------------------------------------------------------------------------------


def test_people_see_only_tickets_they_created_are_assigned_or_associated_with(
    org, admin, clinician, front_desk, billing, champion, make_ticket, clinic_client
):
    created = make_ticket(clinician, title="Mine")
    assigned = make_ticket(admin, assignee=front_desk, title="For the desk")
    make_ticket(admin, title="Admin only")
    associated = make_ticket(billing, title="Billing asks")
    with tenant_context(org):
        services.add_associate(associated, actor=billing, member=front_desk)

    desk = clinic_client(org, front_desk)
    assert desk.get(f"/tickets/{assigned.pk}/").status_code == 200
    assert desk.get(f"/tickets/{associated.pk}/").status_code == 200
    refused = desk.get(f"/tickets/{created.pk}/")
    assert refused.status_code == 403
    assert AuditEvent.objects.filter(
        action="access.denied", object_id=str(created.pk), detail__permission="tickets.view"
    ).exists()
    all_lists = "".join(
        _text(desk.get(path, {"status": ""}))
        for path in ("/tickets/", "/tickets/created/", "/tickets/associated/", "/tickets/sent-to-vendor/")
    )
    assert "For the desk" in all_lists and "Billing asks" in all_lists
    assert "Mine" not in all_lists and "Admin only" not in all_lists
    assert desk.get("/tickets/all/").status_code == 403
    everything = _text(clinic_client(org, admin).get("/tickets/all/"))
    assert all(title in everything for title in ("Mine", "For the desk", "Admin only", "Billing asks"))
    assert clinic_client(org, champion).get(f"/tickets/{created.pk}/").status_code == 403


def test_each_list_shows_its_own_tickets(org, clinician, front_desk, champion, make_ticket, clinic_client):
    make_ticket(clinician, assignee=front_desk, title="Asked of the desk")
    make_ticket(front_desk, assignee=clinician, title="Asked of me")
    make_ticket(champion, assignee=clinician, title="Vendor question", send_to_vendor=True)
    client = clinic_client(org, clinician)
    assigned = _text(client.get("/tickets/"))
    assert "Asked of me" in assigned and "Asked of the desk" not in assigned
    assert "Vendor question" in assigned  # waiting on the vendor is still open
    created = _text(client.get("/tickets/created/"))
    assert "Asked of the desk" in created and "Asked of me" not in created
    associated = _text(client.get("/tickets/associated/"))
    assert "Asked of the desk" in associated  # assigning to someone else made me follow it
    vendor = _text(client.get("/tickets/sent-to-vendor/"))
    assert "Vendor question" in vendor and "Asked of me" not in vendor
    champion_sees = _text(clinic_client(org, champion).get("/tickets/sent-to-vendor/"))
    assert "Vendor question" in champion_sees
    assert client.get("/tickets/nonsense/").status_code == 404


def test_waiting_on_vendor_is_an_open_status(org, clinician, champion, make_ticket, clinic_client):
    make_ticket(champion, assignee=clinician, title="Vendor question", send_to_vendor=True)
    assert "Vendor question" in _text(clinic_client(org, clinician).get("/tickets/", {"status": "open"}))


@pytest.mark.dated
def test_filters_search_and_overdue(org, admin, clinician, front_desk, make_ticket, clinic_client):
    crisis = make_ticket(admin, title="Cannot chart at all", priority=Priority.CRISIS)
    make_ticket(admin, assignee=front_desk, title="Toner low", priority=Priority.LOW)
    done = make_ticket(admin, title="Fixed already", priority=Priority.LOW)
    Ticket.all_tenants.filter(pk=crisis.pk).update(due_by=timezone.now() - datetime.timedelta(minutes=5))
    with tenant_context(org):
        services.update_ticket(done, actor=admin, expected_version=1, changes={"status": Status.COMPLETE})
    client = clinic_client(org, admin)

    def titles(**params):
        text = _text(client.get("/tickets/all/", params))
        return {t for t in ("Cannot chart at all", "Toner low", "Fixed already") if t in text}

    assert titles() == {"Cannot chart at all", "Toner low"}  # open by default
    assert titles(status="") == {"Cannot chart at all", "Toner low", "Fixed already"}
    assert titles(status="complete") == {"Fixed already"}
    assert titles(priority=str(Priority.LOW), status="") == {"Toner low", "Fixed already"}
    assert titles(due="overdue") == {"Cannot chart at all"}
    assert titles(due="week") == set()  # low: two weeks; crisis: already overdue
    soon = make_ticket(admin, title="Backup failed", priority=Priority.HIGH)
    assert "Backup failed" in _text(client.get("/tickets/all/", {"due": "week"}))
    assert "Backup failed" in _text(client.get("/tickets/all/", {"due": "today"})) or soon.due_by.astimezone(
        zoneinfo.ZoneInfo(org.time_zone)
    ).date() > timezone.localdate(timezone=zoneinfo.ZoneInfo(org.time_zone))
    assert titles(assignee=str(front_desk.pk)) == {"Toner low"}
    assert titles(q="toner") == {"Toner low"}
    assert titles(q=str(crisis.number)) == {"Cannot chart at all"}
    assert titles(priority="bogus") == {"Cannot chart at all", "Toner low"}  # ignored, with a notice
    overdue_row = _text(client.get("/tickets/all/", {"due": "overdue"}))
    assert 'class="overdue"' in overdue_row and "Overdue" in overdue_row
    detail = _text(client.get(f"/tickets/{crisis.pk}/"))
    assert "Overdue" in detail and "within 60–90 minutes" in detail


def test_list_query_count_is_fixed(org, admin, clinician, make_ticket, clinic_client, django_assert_max_num_queries):
    client = clinic_client(org, admin)
    client.get("/")
    for i in range(30):
        make_ticket(clinician, assignee=admin, title=f"Question {i}")
    with django_assert_max_num_queries(10 + rls_queries()):
        response = client.get("/tickets/all/")
    text = _text(response)
    assert response.status_code == 200 and "Page 1 of 2" in text
    assert ">Question 0</a>" in text and ">Question 29</a>" not in text and "30 tickets" in text  # earliest due first
    with django_assert_max_num_queries(10 + rls_queries()):
        assert ">Question 29</a>" in _text(client.get("/tickets/all/", {"page": "2"}))


def test_ticket_page_query_count_is_fixed(
    org, admin, clinician, front_desk, make_ticket, clinic_client, django_assert_max_num_queries
):
    ticket = make_ticket(clinician, assignee=admin)
    with tenant_context(org):
        for i in range(10):
            services.add_comment(ticket, actor=clinician, body=f"More detail {i}")
        services.add_associate(ticket, actor=clinician, member=front_desk)
    client = clinic_client(org, admin)
    client.get("/")
    with django_assert_max_num_queries(17 + rls_queries()):
        assert client.get(f"/tickets/{ticket.pk}/").status_code == 200


def test_reading_a_ticket_is_audited_with_its_client(org, front_desk, make_chart_client, make_ticket, clinic_client):
    record = make_chart_client(org)
    ticket = make_ticket(front_desk, client=record)
    response = clinic_client(org, front_desk).get(f"/tickets/{ticket.pk}/")
    assert "Steps: open the billing page, click print." in _text(response)
    assert f"Client {record.number}" in _text(response) and "Jordan" not in _text(response)
    event = AuditEvent.objects.get(action="ticket.viewed")
    assert event.object_id == str(ticket.pk) and event.client_id == record.pk


def test_another_clinics_ticket_is_a_404_and_audited(org, other_org, admin, outsider, make_ticket, clinic_client):
    foreign = make_ticket(outsider, title="Their ticket")
    client = clinic_client(org, admin)
    for response in (
        client.get(f"/tickets/{foreign.pk}/"),
        client.post(f"/tickets/{foreign.pk}/update/", _edit(foreign, status="complete")),
        client.post(f"/tickets/{foreign.pk}/comment/", {"body": "hello"}),
    ):
        assert response.status_code == 404
    assert (
        AuditEvent.objects.filter(action="access.not_found", object_id=str(foreign.pk), organization=org).count() == 3
    )
    assert _fresh(foreign).status == Status.NEW
    assert "Their ticket" not in _text(client.get("/tickets/all/", {"status": ""}))


# --- Changing ------------------------------------------------------------------------------------------------


@pytest.mark.dated
def test_completing_fills_todays_clinic_date_and_reopening_clears_it(org, clinician, make_ticket, clinic_client):
    ticket = make_ticket(clinician)
    client = clinic_client(org, clinician)
    assert client.post(f"/tickets/{ticket.pk}/update/", _edit(ticket, status="complete")).status_code == 302
    ticket = _fresh(ticket)
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(org.time_zone))
    assert ticket.status == Status.COMPLETE and ticket.date_completed == today
    assert today.strftime("%b %-d, %Y") in _text(client.get(f"/tickets/{ticket.pk}/"))
    client.post(f"/tickets/{ticket.pk}/update/", _edit(ticket, status="in_progress"))
    ticket = _fresh(ticket)
    assert ticket.status == Status.IN_PROGRESS and ticket.date_completed is None
    kinds = list(TicketUpdate.all_tenants.filter(ticket=ticket).values_list("kind", "new_value"))
    assert ("status", "Complete") in kinds and ("status", "In progress") in kinds
    event = AuditEvent.objects.filter(action="ticket.updated").last()
    assert event.detail == {"fields": ["status"]}


def test_completion_date_is_the_clinics_date_not_utcs(org, clinician, in_clinic):
    """Late evening in New York is already tomorrow in UTC: the completion date follows the clinic."""
    ticket = services.create_ticket(actor=clinician, title="Late question", assignee=clinician)
    evening = datetime.datetime(2026, 11, 23, 23, 30, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=evening.astimezone(datetime.UTC)):
        services.update_ticket(ticket, actor=clinician, expected_version=1, changes={"status": Status.COMPLETE})
    assert _fresh(ticket).date_completed == datetime.date(2026, 11, 23)


def test_a_status_change_by_someone_not_allowed_is_refused_and_audited(
    org, admin, clinician, front_desk, make_ticket, clinic_client
):
    ticket = make_ticket(clinician, assignee=admin)
    with tenant_context(org):
        services.add_associate(ticket, actor=clinician, member=front_desk)
    desk = clinic_client(org, front_desk)  # associated: may read and comment, not change
    page = _text(desk.get(f"/tickets/{ticket.pk}/"))
    assert "You follow this ticket and can comment on it." in page
    response = desk.post(f"/tickets/{ticket.pk}/update/", _edit(ticket, status="complete"))
    assert response.status_code == 403
    assert _fresh(ticket).status == Status.NEW
    assert AuditEvent.objects.filter(action="access.denied", detail__permission="tickets.change_status").exists()
    # Only champions mark a ticket waiting on the vendor, even the assignee may not.
    admin_client = clinic_client(org, admin)
    refused = admin_client.post(f"/tickets/{ticket.pk}/update/", _edit(ticket, status="waiting_vendor"))
    assert refused.status_code == 403
    # The assignee completes but does not cancel (the creator or an administrator does).
    other = make_ticket(clinician, assignee=front_desk, title="Desk question")
    assert desk.post(f"/tickets/{other.pk}/update/", _edit(other, status="cancelled")).status_code == 403
    assert desk.post(f"/tickets/{other.pk}/update/", _edit(other, status="complete")).status_code == 302


def test_an_outsider_to_the_ticket_cannot_change_it(org, admin, clinician, billing, make_ticket, clinic_client):
    ticket = make_ticket(clinician, assignee=admin)
    response = clinic_client(org, billing).post(f"/tickets/{ticket.pk}/update/", _edit(ticket, title="Changed"))
    assert response.status_code == 403
    assert clinic_client(org, billing).post(f"/tickets/{ticket.pk}/comment/", {"body": "hi"}).status_code == 403
    assert _fresh(ticket).title == "Printer on the second floor jams"


def test_the_associated_staff_cannot_edit_fields(org, admin, clinician, front_desk, make_ticket, clinic_client):
    ticket = make_ticket(clinician, assignee=admin)
    with tenant_context(org):
        services.add_associate(ticket, actor=clinician, member=front_desk)
    clinic_client(org, front_desk).post(f"/tickets/{ticket.pk}/update/", _edit(ticket, title="Hijacked"))
    assert _fresh(ticket).title == "Printer on the second floor jams"  # disabled fields ignore what is posted


def test_two_people_editing_at_once_the_second_is_refused_with_what_changed(
    org, admin, clinician, make_ticket, clinic_client
):
    ticket = make_ticket(clinician, assignee=admin)
    stale = _edit(ticket)
    first = clinic_client(org, admin).post(
        f"/tickets/{ticket.pk}/update/", {**stale, "status": "in_progress", "priority": str(Priority.HIGH)}
    )
    assert first.status_code == 302
    second = clinic_client(org, clinician).post(
        f"/tickets/{ticket.pk}/update/", {**stale, "title": "Printer jams on every job"}
    )
    text = _text(second)
    assert second.status_code == 409
    assert "Someone else changed this ticket while you were editing it" in text
    assert "Alice Admin changed the status from New to In progress" in text
    assert "Alice Admin changed the priority from Medium to High" in text
    assert "Title: Printer jams on every job" in text  # what they tried, so it can be made again
    assert "Status: New" not in text and "Priority: Medium" not in text  # only sent back, not changed by them
    ticket = _fresh(ticket)
    assert ticket.title == "Printer on the second floor jams" and ticket.status == Status.IN_PROGRESS
    assert ticket.version == 2
    assert f'name="version" value="{ticket.version}"' in text  # the form is now on the latest version


def test_a_comment_does_not_make_an_open_edit_stale(org, admin, clinician, make_ticket, clinic_client):
    ticket = make_ticket(clinician, assignee=admin)
    stale = _edit(ticket)
    clinic_client(org, clinician).post(f"/tickets/{ticket.pk}/comment/", {"body": "Also the scanner."})
    assert (
        clinic_client(org, admin).post(f"/tickets/{ticket.pk}/update/", {**stale, "status": "complete"}).status_code
        == 302
    )


def test_reassigning_adds_the_person_reassigning_and_records_it(
    org, admin, clinician, front_desk, make_ticket, clinic_client
):
    ticket = make_ticket(clinician, assignee=admin)
    clinic_client(org, admin).post(f"/tickets/{ticket.pk}/update/", _edit(ticket, assignee=str(front_desk.pk)))
    ticket = _fresh(ticket)
    assert ticket.assignee == front_desk
    followers = set(TicketAssociate.all_tenants.filter(ticket=ticket).values_list("membership_id", flat=True))
    assert followers == {clinician.pk, admin.pk}
    entry = TicketUpdate.all_tenants.get(ticket=ticket, kind="assignee")
    assert (entry.old_value, entry.new_value) == ("Alice Admin", "Frank Frontdesk")
    assert "[self]" in _text(clinic_client(org, front_desk).get(f"/tickets/{ticket.pk}/"))


def test_editing_the_title_checks_it_for_phi_and_the_date_due(
    org, clinician, make_chart_client, make_ticket, clinic_client
):
    make_chart_client(org, "Jordan", "Rivers")
    ticket = make_ticket(clinician)
    client = clinic_client(org, clinician)
    response = client.post(f"/tickets/{ticket.pk}/update/", _edit(ticket, title="Jordan Rivers again"))
    assert "a client's name (“Jordan Rivers”)" in _text(response)
    response = client.post(f"/tickets/{ticket.pk}/update/", _edit(ticket, date_due="2001-01-01"))
    assert "The date due can't be in the past." in _text(response)
    assert _fresh(ticket).version == 1


def test_a_champion_sends_a_ticket_to_the_vendor(org, clinician, champion, make_ticket, clinic_client):
    ticket = make_ticket(clinician, assignee=champion)
    assert "Send to vendor" not in _text(clinic_client(org, clinician).get(f"/tickets/{ticket.pk}/"))
    forged = clinic_client(org, clinician).post(f"/tickets/{ticket.pk}/update/", _edit(ticket, send_to_vendor="on"))
    assert forged.status_code == 302 and _fresh(ticket).sent_to_vendor_at is None  # not offered: ignored
    client = clinic_client(org, champion)
    assert "Send to vendor" in _text(client.get(f"/tickets/{ticket.pk}/"))
    client.post(f"/tickets/{ticket.pk}/update/", _edit(ticket, send_to_vendor="on"))
    ticket = _fresh(ticket)
    assert ticket.sent_to_vendor_at is not None and ticket.sent_to_vendor_by == champion
    assert ticket.status == Status.WAITING_VENDOR
    assert AuditEvent.objects.filter(action="ticket.updated", detail__fields=["sent_to_vendor", "status"]).exists()
    assert ticket.title in _text(client.get("/tickets/sent-to-vendor/"))


def test_comments_and_associated_staff(org, admin, clinician, front_desk, make_ticket, clinic_client):
    ticket = make_ticket(clinician, assignee=admin)
    client = clinic_client(org, clinician)
    client.post(f"/tickets/{ticket.pk}/comment/", {"body": "Client 1001 again today."})
    assert AuditEvent.objects.filter(action="ticket.commented", object_id=str(ticket.pk)).exists()
    client.post(f"/tickets/{ticket.pk}/staff/", {"member": str(front_desk.pk)})
    desk = clinic_client(org, front_desk)
    page = _text(desk.get(f"/tickets/{ticket.pk}/"))
    assert "Client 1001 again today." in page and "Carol Clinician commented" not in page
    desk.post(f"/tickets/{ticket.pk}/staff/{front_desk.pk}/remove/")  # anyone may stop following
    assert desk.get(f"/tickets/{ticket.pk}/").status_code == 403
    refused = desk.post(f"/tickets/{ticket.pk}/staff/{clinician.pk}/remove/")
    assert refused.status_code == 403


def test_a_comment_must_have_text_or_a_file(org, clinician, make_ticket, clinic_client):
    ticket = make_ticket(clinician)
    response = clinic_client(org, clinician).post(f"/tickets/{ticket.pk}/comment/", {"body": ""})
    assert response.status_code == 200 and "Write a comment or attach a file first." in _text(response)
    assert not TicketUpdate.all_tenants.filter(kind="comment").exists()


def test_adding_a_deactivated_person_is_refused(org, clinician, make_member, make_ticket, clinic_client):
    gone = make_member(org, "gone", Role.FRONT_DESK, active=False)
    ticket = make_ticket(clinician)
    response = clinic_client(org, clinician).post(f"/tickets/{ticket.pk}/staff/", {"member": str(gone.pk)})
    assert response.status_code == 200 and "Select a valid choice" in _text(response)
    assert not TicketAssociate.all_tenants.filter(membership=gone).exists()


def test_tickets_need_sign_in(org, make_ticket, clinician, clinic_client):
    ticket = make_ticket(clinician)
    anonymous = clinic_client(org)
    for path in ("/tickets/", "/tickets/new/", f"/tickets/{ticket.pk}/", "/tickets/notifications/"):
        response = anonymous.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
