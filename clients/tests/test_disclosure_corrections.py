"""Correcting the disclosures log (a mistaken entry marked entered in error) and 42 CFR 2.51 medical-emergency
releases of Part 2 records."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from clients.consents import services as consents
from clients.consents.models import Disclosure
from clients.consents.services import Part2Refusal
from clients.tests.test_consents import DAY, TODAY, _authorization_data, _disclosure_data, _errors, _fill, _text
from conftest import rls_queries
from core.clinic_time import clinic_today
from core.errors import ConflictError
from tenancy.context import tenant_context

NOON = datetime.time(12, 0)


@pytest.fixture
def record_client(org, clinician, make_chart_client):
    return make_chart_client(org, primary=clinician)


@pytest.fixture
def filled_chart(org, front_desk, record_client):
    with tenant_context(org):
        return _fill(record_client, front_desk)


@pytest.fixture
def disclose(in_clinic, front_desk, record_client):
    def disclose(authorization=None, **changes):
        data = _disclosure_data(authorization, released_by=front_desk, **changes)
        return consents.record_disclosure(record_client, actor=front_desk, data=data, today=TODAY)

    return disclose


def _emergency(**changes) -> dict:
    data = {
        "legal_basis": "medical_emergency",
        "recipient_name": "Dr. Ana Ruiz",
        "recipient_organization": "St. Mary's Emergency Department",
        "disclosed_time": datetime.time(14, 30),
        "emergency_nature": "Unresponsive after a suspected overdose; ED asked for current medications",
        "categories": ["sud", "treatment_summary"],
        "information_description": "",
    }
    data.update(changes)
    return data


def _ordered(disclose):
    return disclose(None, legal_basis="court_order", recipient_name="County court", purpose="Subpoena")


# --- Entered in error: the service ---------------------------------------------------------------------------


def test_an_entry_marked_in_error_is_kept_and_left_out_of_the_accounting(
    disclose, front_desk, record_client, add_authorization_for
):
    authorization = add_authorization_for(record_client)
    mistaken, kept = disclose(authorization), _ordered(disclose)
    marked = consents.mark_disclosure_in_error(
        mistaken, actor=front_desk, expected_version=1, reason="Logged on the wrong client"
    )
    assert marked.in_error and marked.version == 2 and marked.entered_in_error_by == front_desk
    assert Disclosure.objects.filter(pk=mistaken.pk, entered_in_error_reason="Logged on the wrong client").exists()
    assert list(consents.accounting_of_disclosures(record_client, start=TODAY - 30 * DAY, end=TODAY)) == [kept]
    assert consents.accounting_report(record_client, start=TODAY - 30 * DAY, end=TODAY) == ([kept], 1)
    event = AuditEvent.objects.get(action="disclosure.entered_in_error")
    assert event.client_id == record_client.pk and event.object_id == str(mistaken.pk)
    assert "wrong client" not in str(event.detail)  # the reason may hold PHI


@pytest.mark.parametrize(
    ("reason", "message"),
    [("  ", "Give the reason the entry is wrong."), ("x" * 301, "Keep the reason under 300 characters.")],
)
def test_marking_in_error_needs_a_short_reason(reason, message, disclose, front_desk):
    disclosure = _ordered(disclose)
    with pytest.raises(ValidationError) as caught:
        consents.mark_disclosure_in_error(disclosure, actor=front_desk, expected_version=1, reason=reason)
    assert _errors(caught.value)["reason"] == message
    disclosure.refresh_from_db()
    assert not disclosure.in_error and disclosure.version == 1


def test_a_stale_or_repeated_correction_is_refused(disclose, front_desk):
    disclosure = _ordered(disclose)
    with pytest.raises(ConflictError, match="Someone else changed this release entry"):
        consents.mark_disclosure_in_error(disclosure, actor=front_desk, expected_version=7, reason="Duplicate")
    consents.mark_disclosure_in_error(disclosure, actor=front_desk, expected_version=1, reason="Duplicate")
    with pytest.raises(ValidationError, match="already marked entered in error"):
        consents.mark_disclosure_in_error(disclosure, actor=front_desk, expected_version=2, reason="Again")
    assert AuditEvent.objects.filter(action="disclosure.entered_in_error").count() == 1


def test_the_database_refuses_an_error_mark_without_reason(disclose):
    disclosure = _ordered(disclose)
    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.filter(pk=disclosure.pk).update(entered_in_error_at=disclosure.recorded_at)


# --- Medical emergency (42 CFR 2.51): the service ------------------------------------------------------------


def test_a_medical_emergency_release_of_part2_records_is_recorded(disclose, front_desk, record_client):
    consents.set_part2(record_client, actor=front_desk, part2=True)
    disclosure = disclose(None, **_emergency())
    assert disclosure.involves_sud and disclosure.authorization is None
    assert disclosure.purpose == consents.EMERGENCY_PURPOSE
    assert disclosure.basis_label.startswith("Medical emergency (42 CFR 2.51): Unresponsive after a suspected")
    assert list(consents.accounting_of_disclosures(record_client, start=TODAY - DAY, end=TODAY)) == [disclosure]
    event = AuditEvent.objects.get(action="disclosure.recorded")
    assert event.detail["legal_basis"] == "medical_emergency" and event.detail["part2"] is True


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"recipient_name": ""}, "recipient_name", "Name the medical personnel who received the information"),
        ({"recipient_organization": " "}, "recipient_organization", "Give the medical personnel's facility"),
        ({"disclosed_time": None}, "disclosed_time", "Give the time of the release"),
        ({"emergency_nature": ""}, "emergency_nature", "Describe the nature of the medical emergency"),
    ],
)
def test_a_medical_emergency_needs_what_2_51_requires(changes, field, message, disclose, front_desk, record_client):
    consents.set_part2(record_client, actor=front_desk, part2=True)
    with pytest.raises(ValidationError) as caught:
        disclose(None, **_emergency(**changes))
    assert not isinstance(caught.value, Part2Refusal)
    assert message in _errors(caught.value)[field]
    assert not Disclosure.objects.exists()


@pytest.mark.dated
def test_a_medical_emergency_release_cannot_be_later_today(in_clinic, front_desk, record_client):
    today = clinic_today()
    data = _disclosure_data(
        None, released_by=front_desk, **_emergency(disclosed_on=today, disclosed_time=datetime.time(23, 59, 59))
    )
    with pytest.raises(ValidationError, match="The time of the release can't be in the future"):
        consents.record_disclosure(record_client, actor=front_desk, data=data)


def test_a_court_order_still_cannot_release_part2_records(disclose, front_desk, record_client):
    consents.set_part2(record_client, actor=front_desk, part2=True)
    with pytest.raises(Part2Refusal, match="A court order or subpoena alone is not enough"):
        _ordered(disclose)
    assert not Disclosure.objects.exists()


def test_emergency_details_are_dropped_for_other_bases(disclose):
    disclosure = disclose(
        None, legal_basis="public_health", recipient_name="County health", purpose="Report", emergency_nature="x"
    )
    assert disclosure.emergency_nature == "" and disclosure.basis_label == "Public health authority"


def test_the_database_refuses_an_undocumented_emergency(disclose):
    disclosure = _ordered(disclose)
    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.filter(pk=disclosure.pk).update(legal_basis="medical_emergency")


# --- Views ----------------------------------------------------------------------------------------------------


@pytest.fixture
def add_authorization_for(in_clinic, front_desk):
    def add(client):
        return consents.add_authorization(client, actor=front_desk, data=_authorization_data(), today=TODAY)

    return add


def _path(client, disclosure) -> str:
    return f"/clients/{client.pk}/disclosures/{disclosure.pk}/entered-in-error/"


def test_front_desk_marks_an_entry_in_error_and_the_report_notes_it(org, front_desk, filled_chart, clinic_client):
    with tenant_context(org):
        disclosure = filled_chart.disclosures.get()
    client = clinic_client(org, front_desk)
    tab = _text(client.get(f"/clients/{filled_chart.pk}/consents/"))
    assert _path(filled_chart, disclosure) in tab
    form = client.get(_path(filled_chart, disclosure))
    assert form.status_code == 200 and "Dr. Lee Park" in _text(form)
    empty = _text(client.post(_path(filled_chart, disclosure), {"version": 1, "reason": ""}))
    assert "Give the reason the entry is wrong." in empty
    stale = _text(client.post(_path(filled_chart, disclosure), {"version": 9, "reason": "Never sent"}))
    assert "Someone else changed this release entry" in stale
    done = client.post(_path(filled_chart, disclosure), {"version": 1, "reason": "Never sent: fax failed"})
    assert done.status_code == 302

    tab = _text(client.get(f"/clients/{filled_chart.pk}/consents/"))
    assert 'class="in-error"' in tab and "Entered in error" in tab and "Never sent: fax failed" in tab
    assert _path(filled_chart, disclosure) not in tab  # nothing left to correct
    report = _text(client.get(f"/clients/{filled_chart.pk}/disclosures/accounting/"))
    assert "0 releases of information in the period" in report and "Dr. Lee Park" not in report
    assert "1 entry of this period marked entered in error is left out" in report
    viewed = AuditEvent.objects.get(action="disclosures.accounting_viewed")
    assert viewed.detail["count"] == 0 and viewed.detail["excluded_in_error"] == 1
    rows = list(csv.reader(io.StringIO(client.get(f"/clients/{filled_chart.pk}/disclosures/accounting/csv/").text)))
    assert len(rows) == 1 and rows[0][0] == "date_released"
    exported = AuditEvent.objects.get(action="disclosures.accounting_exported")
    assert exported.detail["excluded_in_error"] == 1
    assert client.post(_path(filled_chart, disclosure), {"version": 2, "reason": "Again"}).status_code == 200
    assert AuditEvent.objects.filter(action="disclosure.entered_in_error").count() == 1


def test_billing_may_not_mark_an_entry_in_error(org, billing, filled_chart, clinic_client):
    with tenant_context(org):
        disclosure = filled_chart.disclosures.get()
    response = clinic_client(org, billing).post(_path(filled_chart, disclosure), {"version": 1, "reason": "x"})
    assert response.status_code == 403
    denied = AuditEvent.objects.get(action="access.denied")
    assert denied.detail["permission"] == "clients.disclosures.entered_in_error"
    with tenant_context(org):
        assert not Disclosure.objects.get(pk=disclosure.pk).in_error


def test_a_clinician_outside_the_caseload_is_refused(org, make_member, filled_chart, clinic_client):
    from accounts.roles import Role

    with tenant_context(org):
        disclosure = filled_chart.disclosures.get()
    stranger = make_member(org, "dana", Role.CLINICIAN)
    response = clinic_client(org, stranger).post(_path(filled_chart, disclosure), {"version": 1, "reason": "x"})
    assert response.status_code == 403
    assert AuditEvent.objects.get(action="access.denied").detail["permission"] == "clients.view.consents"


def test_another_clinics_entry_is_404_and_audited(org, other_org, make_member, make_chart_client, clinic_client):
    from accounts.roles import Role

    foreign_desk = make_member(other_org, "fay", Role.FRONT_DESK)
    foreign = make_chart_client(other_org)
    with tenant_context(other_org):
        disclosure = _fill(foreign, foreign_desk).disclosures.get()
    admin = make_member(org, "ada", Role.ADMINISTRATOR)
    response = clinic_client(org, admin).post(_path(foreign, disclosure), {"version": 1, "reason": "x"})
    assert response.status_code == 404
    assert AuditEvent.objects.get(action="access.not_found").object_id == str(foreign.pk)
    with tenant_context(other_org):
        assert not Disclosure.objects.get(pk=disclosure.pk).in_error


def test_another_clients_entry_is_404_and_audited(org, front_desk, filled_chart, make_chart_client, clinic_client):
    other = make_chart_client(org, first="Sam", last="Other")
    with tenant_context(org):
        disclosure = filled_chart.disclosures.get()
    response = clinic_client(org, front_desk).post(_path(other, disclosure), {"version": 1, "reason": "x"})
    assert response.status_code == 404
    assert AuditEvent.objects.get(action="access.not_found").object_id == str(disclosure.pk)


@pytest.mark.dated
def test_a_medical_emergency_is_logged_through_the_form(org, front_desk, record_client, clinic_client):
    with tenant_context(org):
        consents.set_part2(record_client, actor=front_desk, part2=True)
        today = clinic_today()
    form = {
        "disclosed_on": (today - DAY).isoformat(),
        "legal_basis": "medical_emergency",
        "categories": ["sud"],
        "released_by": front_desk.pk,
    }
    client = clinic_client(org, front_desk)
    missing = _text(client.post(f"/clients/{record_client.pk}/disclosures/new/", form))
    for message in ("Name the medical personnel", "Give the medical personnel's facility", "Give the time of"):
        assert message in missing
    assert "Describe the nature of the medical emergency" in missing
    assert not AuditEvent.objects.filter(action="disclosure.refused").exists()
    form |= {
        "recipient_name": "Dr. Ana Ruiz",
        "recipient_organization": "St. Mary's Emergency Department",
        "disclosed_time": "14:30",
        "emergency_nature": "Suspected overdose",
    }
    assert client.post(f"/clients/{record_client.pk}/disclosures/new/", form).status_code == 302
    tab = _text(client.get(f"/clients/{record_client.pk}/consents/"))
    assert "Medical emergency (42 CFR 2.51): Suspected overdose" in tab and "2:30 p.m." in tab
    report = _text(client.get(f"/clients/{record_client.pk}/disclosures/accounting/"))
    assert "Dr. Ana Ruiz, St. Mary's Emergency Department" in report


def test_entries_in_error_add_no_queries_to_the_tab(org, front_desk, filled_chart, clinic_client):
    client = clinic_client(org, front_desk)
    client.get("/")
    counts = []
    for _ in range(2):
        with tenant_context(org):
            disclosure = filled_chart.disclosures.filter(entered_in_error_at__isnull=True).first()
            consents.mark_disclosure_in_error(disclosure, actor=front_desk, expected_version=1, reason="Duplicate")
            _fill(filled_chart, front_desk)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/clients/{filled_chart.pk}/consents/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_correction_form_has_a_query_budget(
    org, front_desk, filled_chart, clinic_client, django_assert_max_num_queries
):
    with tenant_context(org):
        disclosure = filled_chart.disclosures.get()
    client = clinic_client(org, front_desk)
    client.get("/")
    with django_assert_max_num_queries(11 + rls_queries()):
        assert client.get(_path(filled_chart, disclosure)).status_code == 200
