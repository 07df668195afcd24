"""The booking form's client picker: matches come from the client search, only clients the person may book, never
the clinic's whole list; the search is a POST, refused out of role; "Find" without JavaScript books nothing."""

from html import unescape

import pytest

from audit.models import AuditEvent
from scheduling.appointments.forms import PICKER_RESULTS
from scheduling.appointments.models import Appointment
from tenancy.context import tenant_context


@pytest.fixture
def jordan(org, clinician, make_chart_client):
    return make_chart_client(org, "Jordan", "Rivers", primary=clinician)


@pytest.fixture
def maya(org, supervisor, make_chart_client):
    return make_chart_client(org, "Maya", "Okafor", primary=supervisor)


def _search(client, text: str) -> str:
    response = client.post("/schedule/book/clients/", {"client_query": text}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_matches_are_options_of_clients_the_person_may_book(
    org, other_org, jordan, maya, clinician, front_desk, clinic_client, make_chart_client
):
    make_chart_client(other_org, "Jordan", "Riversmith")
    desk = _search(clinic_client(org, front_desk), "rivers")
    assert 'role="option"' in desk and f'data-value="{jordan.pk}"' in desk and "Jordan Rivers (#" in desk
    assert "Riversmith" not in desk  # another clinic's client
    assert "Maya" not in _search(clinic_client(org, front_desk), "rivers")
    # A clinician books only their caseload: Maya (Sam's client) is not offered to Casey.
    assert "No client you can book" in _search(clinic_client(org, clinician), "okafor")
    assert f'data-value="{maya.pk}"' in _search(clinic_client(org, front_desk), "okafor")


def test_discharged_clients_are_not_offered(org, front_desk, clinic_client, make_chart_client):
    gone = make_chart_client(org, "Quinn", "Gone")
    with tenant_context(org):
        type(gone).objects.filter(pk=gone.pk).update(status="discharged")
    assert "No client you can book" in _search(clinic_client(org, front_desk), "gone")


def test_an_empty_box_clears_the_matches_and_a_get_is_refused(org, front_desk, clinic_client):
    client = clinic_client(org, front_desk)
    assert client.post("/schedule/book/clients/", {"client_query": "  "}).content == b""
    assert client.get("/schedule/book/clients/", {"client_query": "rivers"}).status_code == 405


def test_out_of_role_or_signed_out_search_is_refused(org, billing, jordan, clinic_client):
    response = clinic_client(org, billing).post("/schedule/book/clients/", {"client_query": "rivers"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=billing.user).count() == 1
    assert clinic_client(org).post("/schedule/book/clients/", {"client_query": "rivers"}).status_code == 302


def test_the_search_reads_a_few_matches_in_a_fixed_number_of_queries(
    org, front_desk, clinic_client, make_chart_client, django_assert_max_num_queries
):
    for i in range(PICKER_RESULTS * 3):
        make_chart_client(org, f"Sam{i}", "Rivers")
    client = clinic_client(org, front_desk)
    _search(client, "rivers")  # warm the session and the membership caches
    with django_assert_max_num_queries(12):
        text = _search(client, "rivers")
    assert text.count('role="option"') == PICKER_RESULTS


def test_the_booking_form_lists_no_clients_until_a_search(org, jordan, maya, front_desk, clinic_client):
    page = unescape(clinic_client(org, front_desk).get("/schedule/book/").content.decode())
    assert 'role="combobox"' in page
    assert "Jordan Rivers" not in page and "Maya Okafor" not in page
    chosen = unescape(clinic_client(org, front_desk).get("/schedule/book/", {"client": jordan.pk}).content.decode())
    assert f'name="clients" value="{jordan.pk}" checked' in chosen and "Maya Okafor" not in chosen


def test_find_without_javascript_shows_matches_keeps_the_form_and_books_nothing(
    org, jordan, clinician, front_desk, clinic_client, site, types
):
    data = {
        "appointment_type": types["individual"].pk,
        "clinicians": [clinician.pk],
        "date": "2026-03-03",
        "start_time": "10:00",
        "location": site.pk,
        "client_query": "jordan",
        "find_clients": "1",
    }
    response = clinic_client(org, front_desk).post("/schedule/book/", data)
    assert response.status_code == 200
    text = unescape(response.content.decode())
    assert f'<input type="checkbox" name="clients" value="{jordan.pk}">' in text
    assert 'value="2026-03-03"' in text and 'value="jordan"' in text
    assert "errorlist" not in text and "This field is required" not in text
    del data["find_clients"]
    response = clinic_client(org, front_desk).post("/schedule/book/", {**data, "clients": [jordan.pk]})
    assert response.status_code == 302
    with tenant_context(org):
        assert Appointment.objects.get().clients.get() == jordan
