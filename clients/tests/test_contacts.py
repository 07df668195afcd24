"""Contacts (emergency, guardians, family), family links between clients, and the minor-without-guardian warning."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from clients.contacts import services as contacts
from clients.contacts.models import ClientContact, ClientLink
from clients.tests.conftest import years_before
from core.clinic_time import clinic_today
from core.errors import ConflictError
from tenancy.context import tenant_context


def _text(response) -> str:
    return unescape(response.content.decode())


def _contact(**changes) -> dict:
    data = {
        "name": "Maria Lopez",
        "relationship": "parent",
        "phone": "(555) 201-3344",
        "email": "maria@example.org",
        "is_emergency_contact": "on",
        "is_legal_guardian": "on",
        "may_receive_information": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _born_years_ago(org, years: int, days_extra: int = 0) -> datetime.date:
    with tenant_context(org):
        today = clinic_today()
    return years_before(today, years) - datetime.timedelta(days=days_extra)


# --- Services ------------------------------------------------------------------------------------------------


@pytest.mark.dated
def test_guardian_warning_follows_age_on_the_clinics_date_and_guardians_on_file(
    in_clinic, org, front_desk, make_chart_client
):
    today = clinic_today()
    minor = make_chart_client(org, born=years_before(today, 17))
    turns_18_today = make_chart_client(org, "Sam", "Day", born=years_before(today, 18))
    assert contacts.needs_guardian(minor, today)
    assert not contacts.needs_guardian(turns_18_today, today)
    friend = contacts.add_contact(
        minor, actor=front_desk, data={"name": "Pat", "relationship": "friend", "phone": "555-000-1111"}
    )
    assert contacts.needs_guardian(minor, today)  # a contact who is not a guardian does not count
    guardian = contacts.add_contact(
        minor, actor=front_desk, data={"name": "Maria", "relationship": "parent", "is_legal_guardian": True}
    )
    assert not contacts.needs_guardian(minor, today)
    contacts.remove_contact(guardian, actor=front_desk, expected_version=1)
    assert contacts.needs_guardian(minor, today)  # a removed guardian does not count either
    assert [c.pk for c in contacts.active_contacts(minor)] == [friend.pk]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "Pat", "relationship": "friend", "is_emergency_contact": True}, "phone", "needs a phone number"),
        ({"name": "Pat", "relationship": "friend", "phone": "call me"}, "phone", "Enter a phone number"),
        ({"name": "Pat", "relationship": "friend", "email": "not-an-email"}, "email", "valid email"),
        ({"name": "", "relationship": "friend"}, "name", "cannot be blank"),
        ({"name": "Pat", "relationship": "landlord"}, "relationship", "not a valid choice"),
    ],
)
def test_bad_contacts_are_refused_with_a_message(in_clinic, org, front_desk, make_chart_client, data, field, message):
    record = make_chart_client(org)
    with pytest.raises(ValidationError) as caught:
        contacts.add_contact(record, actor=front_desk, data=data)
    assert message in " ".join(caught.value.message_dict[field])
    assert not ClientContact.objects.exists() and not AuditEvent.objects.exists()


def test_contacts_keep_their_order_and_a_stale_edit_is_refused(in_clinic, org, front_desk, admin, make_chart_client):
    record = make_chart_client(org)
    first, second, third = (
        contacts.add_contact(record, actor=front_desk, data={"name": n, "relationship": "friend"})
        for n in ("Ann", "Ben", "Cy")
    )
    contacts.move_contact(third, actor=front_desk, up=True)
    contacts.move_contact(first, actor=front_desk, up=False)
    assert [c.name for c in contacts.active_contacts(record)] == ["Cy", "Ann", "Ben"]
    contacts.update_contact(second, actor=front_desk, expected_version=1, changes={"phone": "555-123-4567"})
    with pytest.raises(ConflictError):
        contacts.update_contact(second, actor=admin, expected_version=1, changes={"phone": "555-999-0000"})
    second.refresh_from_db()
    assert second.phone == "555-123-4567"
    event = AuditEvent.objects.get(action="client.contact_updated")
    assert event.client_id == record.pk and event.detail == {"fields": ["phone"]}
    assert "555" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_family_links_show_from_both_sides_and_refuse_nonsense(in_clinic, org, front_desk, make_chart_client):
    child = make_chart_client(org, "Mia", "Lopez", born=datetime.date(2015, 3, 1))
    parent = make_chart_client(org, "Maria", "Lopez", born=datetime.date(1985, 3, 1))
    link = contacts.link_clients(child, actor=front_desk, related_client=parent, relationship="parent")
    [seen_by_child] = contacts.family_links(child)
    [seen_by_parent] = contacts.family_links(parent)
    assert (seen_by_child["other"], seen_by_child["relationship"].label) == (parent, "Parent")
    assert (seen_by_parent["other"], seen_by_parent["relationship"].label) == (child, "Child")
    with pytest.raises(ValidationError, match="already linked"):
        contacts.link_clients(parent, actor=front_desk, related_client=child, relationship="child")
    with pytest.raises(ValidationError, match="themselves"):
        contacts.link_clients(child, actor=front_desk, related_client=child, relationship="sibling")
    contacts.end_link(link, actor=front_desk)
    assert contacts.family_links(child) == []
    assert ClientLink.objects.count() == 1  # ended, not deleted
    audited = set(AuditEvent.objects.filter(action="client.family_linked").values_list("client_id", flat=True))
    assert audited == {child.pk, parent.pk}


# --- Views ---------------------------------------------------------------------------------------------------


def test_front_desk_adds_a_guardian_and_the_warning_goes_away(org, front_desk, make_chart_client, clinic_client):
    record = make_chart_client(org, born=_born_years_ago(org, 12))
    client = clinic_client(org, front_desk)
    for page in (f"/clients/{record.pk}/", f"/clients/{record.pk}/demographics/", f"/clients/{record.pk}/edit/"):
        assert "Minor without a guardian on file." in _text(client.get(page))
    missing_phone = client.post(f"/clients/{record.pk}/contacts/new/", _contact(phone=""))
    assert "An emergency contact needs a phone number." in _text(missing_phone)
    assert client.post(f"/clients/{record.pk}/contacts/new/", _contact()).status_code == 302
    demographics = _text(client.get(f"/clients/{record.pk}/demographics/"))
    assert "Maria Lopez" in demographics and "Guardian / personal representative" in demographics
    assert "Minor without a guardian" not in demographics
    overview = _text(client.get(f"/clients/{record.pk}/"))
    assert "Maria Lopez (parent) · (555) 201-3344" in overview


@pytest.mark.dated
def test_an_adult_shows_no_guardian_warning(org, front_desk, make_chart_client, clinic_client):
    record = make_chart_client(org, born=_born_years_ago(org, 18))
    assert "Minor without a guardian" not in _text(clinic_client(org, front_desk).get(f"/clients/{record.pk}/"))


def test_contact_edit_remove_and_move_through_the_pages(org, front_desk, make_chart_client, clinic_client):
    record = make_chart_client(org)
    client = clinic_client(org, front_desk)
    client.post(f"/clients/{record.pk}/contacts/new/", _contact(name="Ann Able"))
    client.post(f"/clients/{record.pk}/contacts/new/", _contact(name="Ben Baker", is_legal_guardian=None))
    ann, ben = ClientContact.all_tenants.order_by("position")
    client.post(f"/clients/{record.pk}/contacts/{ben.pk}/move/", {"direction": "up"})
    page = _text(client.get(f"/clients/{record.pk}/demographics/"))
    assert page.index("Ben Baker") < page.index("Ann Able")
    edited = client.post(
        f"/clients/{record.pk}/contacts/{ann.pk}/edit/",
        {**_contact(name="Ann Able"), "notes": "Call after 5", "version": 1},
    )
    assert edited.status_code == 302
    stale = client.post(f"/clients/{record.pk}/contacts/{ann.pk}/edit/", {**_contact(name="Ann A."), "version": 1})
    assert "Someone else saved this contact" in _text(stale)
    assert client.post(f"/clients/{record.pk}/contacts/{ann.pk}/remove/", {"version": 2}).status_code == 302
    assert "Ann Able" not in _text(client.get(f"/clients/{record.pk}/demographics/"))
    assert client.get(f"/clients/{record.pk}/contacts/{ann.pk}/edit/").status_code == 404


def test_linking_a_family_member_by_number(org, front_desk, clinician, make_chart_client, clinic_client):
    child = make_chart_client(org, "Mia", "Lopez", primary=clinician, born=datetime.date(2015, 3, 1))
    parent = make_chart_client(org, "Maria", "Lopez", born=datetime.date(1985, 3, 1))
    client = clinic_client(org, front_desk)
    unknown = client.post(f"/clients/{child.pk}/family/new/", {"related_number": 99999, "relationship": "parent"})
    assert "No client with that number that you may see." in _text(unknown)
    done = client.post(f"/clients/{child.pk}/family/new/", {"related_number": parent.number, "relationship": "parent"})
    assert done.status_code == 302
    assert "Mia Lopez</a> (client" in _text(client.get(f"/clients/{parent.pk}/demographics/"))
    # Casey's clinician sees the link but not the other client's name: that chart isn't on her caseload.
    seen = _text(clinic_client(org, clinician).get(f"/clients/{child.pk}/demographics/"))
    assert f"Client {parent.number}" in seen and "Maria Lopez" not in seen


def test_another_clinics_client_cannot_be_linked(org, other_org, front_desk, make_chart_client, clinic_client):
    mine = make_chart_client(org)
    foreign = [make_chart_client(other_org, "Far", f"Away{i}") for i in range(2)][-1]
    assert foreign.number != mine.number  # each clinic numbers its own clients
    response = clinic_client(org, front_desk).post(
        f"/clients/{mine.pk}/family/new/", {"related_number": foreign.number, "relationship": "sibling"}
    )
    assert "No client with that number that you may see." in _text(response)
    assert not ClientLink.all_tenants.exists()
