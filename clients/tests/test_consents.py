"""Consents, release-of-information authorisations, 42 CFR Part 2 and the accounting of disclosures."""

import csv
import datetime
import io
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from clients.consents import services as consents
from clients.consents.models import Authorization, ClientPrivacy, Consent, ConsentStatus, Disclosure
from clients.consents.services import Part2Refusal
from conftest import rls_queries
from core.clinic_time import clinic_today
from tenancy.context import tenant_context

TODAY = datetime.date(2026, 6, 15)
DAY = datetime.timedelta(days=1)


def _text(response) -> str:
    return unescape(response.content.decode())


def _errors(error: ValidationError) -> dict[str, str]:
    return {field: " ".join(messages) for field, messages in error.message_dict.items()}


def _authorization_data(**changes) -> dict:
    data = {
        "recipient_kind": "provider",
        "recipient_name": "Dr. Lee Park",
        "recipient_organization": "Valley Family Medicine",
        "recipient_address": "12 Elm St\nSpringfield, IL 62701",
        "recipient_phone": "",
        "recipient_fax": "(555) 123-0000",
        "recipient_email": "",
        "purpose": "Coordination of care with the primary care doctor",
        "categories": ["diagnoses", "treatment_summary", "attendance"],
        "information_other": "",
        "sud_description": "",
        "signed_date": TODAY - 10 * DAY,
        "signed_by": "client",
        "representative_name": "",
        "representative_authority": "",
        "effective_date": TODAY - 10 * DAY,
        "expiry_date": TODAY + 365 * DAY,
        "expiry_event": "",
    }
    data.update(changes)
    return data


def _disclosure_data(authorization=None, **changes) -> dict:
    data = {
        "disclosed_on": TODAY - DAY,
        "legal_basis": "authorization",
        "legal_basis_detail": "",
        "authorization": authorization,
        "recipient_name": "",
        "recipient_organization": "",
        "recipient_address": "",
        "categories": ["diagnoses", "attendance"],
        "information_description": "Diagnosis list and visit dates for 2026",
        "purpose": "",
        "released_by": None,
    }
    data.update(changes)
    return data


@pytest.fixture
def record_client(org, clinician, make_chart_client):
    return make_chart_client(org, primary=clinician)


@pytest.fixture
def add_authorization(in_clinic, front_desk, record_client):
    def add(client=None, **changes):
        return consents.add_authorization(
            client or record_client, actor=front_desk, data=_authorization_data(**changes), today=TODAY
        )

    return add


@pytest.fixture
def disclose(in_clinic, front_desk, record_client):
    def disclose(authorization=None, client=None, **changes):
        data = _disclosure_data(authorization, released_by=front_desk, **changes)
        return consents.record_disclosure(client or record_client, actor=front_desk, data=data, today=TODAY)

    return disclose


# --- Consents ------------------------------------------------------------------------------------------------


def _consent(client, actor, **changes):
    data = {
        "kind": "treatment",
        "signed_date": TODAY - 30 * DAY,
        "signed_by": "client",
        "representative_name": "",
        "expires_on": None,
        "note": "",
    }
    data.update(changes)
    return consents.record_consent(client, actor=actor, data=data, today=TODAY)


def test_a_consent_is_recorded_and_audited_with_the_client(in_clinic, front_desk, record_client):
    consent = _consent(record_client, front_desk)
    assert consent.recorded_by == front_desk and consent.status_on(TODAY) == ConsentStatus.ACTIVE
    event = AuditEvent.objects.get(action="consent.recorded")
    assert event.client_id == record_client.pk and event.detail == {"kind": "treatment"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"signed_date": TODAY + DAY}, "signed_date", "The signed date can't be in the future."),
        ({"expires_on": TODAY - 30 * DAY}, "expires_on", "The expiry date must be after the signed date."),
        ({"expires_on": TODAY - 40 * DAY}, "expires_on", "The expiry date must be after the signed date."),
        (
            {"signed_by": "representative"},
            "representative_name",
            "Give the name of the guardian or representative who signed.",
        ),
    ],
)
def test_consent_validation(changes, field, message, in_clinic, front_desk, record_client):
    with pytest.raises(ValidationError) as caught:
        _consent(record_client, front_desk, **changes)
    assert _errors(caught.value)[field] == message
    assert not Consent.objects.exists()


def test_a_representatives_name_is_dropped_when_the_client_signed(in_clinic, front_desk, record_client):
    consent = _consent(record_client, front_desk, representative_name="Someone")
    assert consent.representative_name == ""


def test_revoking_a_consent_keeps_it_in_the_history(in_clinic, front_desk, record_client):
    consent = _consent(record_client, front_desk)
    revoked = consents.revoke_consent(
        consent, actor=front_desk, expected_version=1, revoked_on=TODAY, reason="Client withdrew", today=TODAY
    )
    assert revoked.status_on(TODAY) == ConsentStatus.REVOKED
    assert revoked.status_on(TODAY - DAY) == ConsentStatus.ACTIVE
    assert Consent.objects.count() == 1
    assert AuditEvent.objects.get(action="consent.revoked").client_id == record_client.pk
    with pytest.raises(ValidationError, match="already revoked"):
        consents.revoke_consent(
            revoked, actor=front_desk, expected_version=2, revoked_on=TODAY, reason="again", today=TODAY
        )


@pytest.mark.parametrize(
    ("revoked_on", "reason", "message"),
    [
        (TODAY + DAY, "Withdrew", "The revocation date can't be in the future."),
        (TODAY - 31 * DAY, "Withdrew", "The revocation date can't be before it was signed"),
        (TODAY, "   ", "Give the reason for the revocation."),
    ],
)
def test_consent_revocation_validation(revoked_on, reason, message, in_clinic, front_desk, record_client):
    consent = _consent(record_client, front_desk)
    with pytest.raises(ValidationError, match=message):
        consents.revoke_consent(
            consent, actor=front_desk, expected_version=1, revoked_on=revoked_on, reason=reason, today=TODAY
        )
    assert Consent.objects.get().revoked_on is None


def test_a_stale_revocation_is_refused(in_clinic, front_desk, record_client):
    from core.errors import ConflictError

    consent = _consent(record_client, front_desk)
    with pytest.raises(ConflictError):
        consents.revoke_consent(
            consent, actor=front_desk, expected_version=7, revoked_on=TODAY, reason="Withdrew", today=TODAY
        )


def test_expired_consents_and_the_current_one_of_each_kind(in_clinic, front_desk, record_client):
    old = _consent(record_client, front_desk, signed_date=TODAY - 400 * DAY, expires_on=TODAY - 35 * DAY)
    new = _consent(record_client, front_desk)
    tele = _consent(record_client, front_desk, kind="telehealth", expires_on=TODAY + DAY)
    assert old.status_on(TODAY) == ConsentStatus.EXPIRED
    assert tele.status_on(TODAY + DAY) == ConsentStatus.ACTIVE  # the expiry date is the last day in force
    assert tele.status_on(TODAY + 2 * DAY) == ConsentStatus.EXPIRED
    assert consents.current_consents([old, new, tele], TODAY) == [tele, new]


# --- Authorisations ------------------------------------------------------------------------------------------


def test_an_authorisation_is_recorded_and_audited_without_phi(add_authorization, record_client):
    authorization = add_authorization(categories=["attendance", "diagnoses"])
    assert authorization.categories == ["diagnoses", "attendance"]  # kept in the list's order
    assert authorization.valid_on(TODAY)
    event = AuditEvent.objects.get(action="authorization.added")
    assert event.client_id == record_client.pk
    assert "Lee" not in str(event.detail) and "Coordination" not in str(event.detail)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"expiry_date": None, "expiry_event": ""},
            "expiry_date",
            "Give an expiry date or an expiry event: an authorisation without one can't be accepted (HIPAA 164.508).",
        ),
        ({"expiry_date": TODAY - 10 * DAY}, "expiry_date", "The expiry date must be after the effective date."),
        ({"expiry_date": TODAY - 20 * DAY}, "expiry_date", "The expiry date must be after the effective date."),
        ({"signed_date": TODAY + DAY, "effective_date": TODAY + DAY}, "signed_date", "can't be in the future"),
        ({"effective_date": TODAY - 11 * DAY}, "effective_date", "can't be before the date it was signed"),
        ({"recipient_name": " "}, "recipient_name", "Name the person or organisation"),
        ({"recipient_address": "", "recipient_fax": ""}, "recipient_address", "address, phone, fax or email"),
        ({"purpose": ""}, "purpose", "State the purpose of the release"),
        ({"categories": [], "information_other": ""}, "categories", "Choose what may be released"),
        ({"categories": ["diagnoses", "gossip"]}, "categories", "Choose only from the listed kinds"),
        ({"sud_description": "Dates of treatment"}, "categories", "tick substance use disorder records as well"),
        ({"categories": ["sud"]}, "sud_description", "how much and what kind of substance use disorder information"),
        ({"signed_by": "representative"}, "representative_name", "Give the name of the guardian"),
        (
            {"signed_by": "representative", "representative_name": "Pat Rivers"},
            "representative_authority",
            "authority to sign for the client",
        ),
    ],
)
def test_authorisation_validation(changes, field, message, add_authorization):
    with pytest.raises(ValidationError) as caught:
        add_authorization(**changes)
    assert message in _errors(caught.value)[field]
    assert not Authorization.objects.exists()


def test_an_expiry_event_alone_is_enough(add_authorization):
    authorization = add_authorization(expiry_date=None, expiry_event="End of treatment")
    assert authorization.valid_on(TODAY + 3000 * DAY)


def test_other_information_alone_is_enough(add_authorization):
    assert add_authorization(categories=[], information_other="The intake letter").information_other


def test_a_representative_signs_with_name_and_authority(add_authorization):
    authorization = add_authorization(
        signed_by="representative", representative_name="Pat Rivers", representative_authority="Parent of a minor"
    )
    assert authorization.representative_authority == "Parent of a minor"


def test_the_database_refuses_an_authorisation_without_expiry(in_clinic, front_desk, record_client):
    data = {**_authorization_data(expiry_date=None), "client": record_client, "recorded_by": front_desk}
    with pytest.raises(IntegrityError), transaction.atomic():
        Authorization.objects.create(**data)


def test_revoking_an_authorisation(add_authorization, front_desk, record_client):
    authorization = add_authorization()
    with pytest.raises(ValidationError, match="Say how the revocation was received"):
        consents.revoke_authorization(
            authorization, actor=front_desk, expected_version=1, revoked_on=TODAY, method="", today=TODAY
        )
    with pytest.raises(ValidationError, match="can't be in the future"):
        consents.revoke_authorization(
            authorization, actor=front_desk, expected_version=1, revoked_on=TODAY + DAY, method="fax", today=TODAY
        )
    revoked = consents.revoke_authorization(
        authorization, actor=front_desk, expected_version=1, revoked_on=TODAY, method="fax", today=TODAY
    )
    assert revoked.status_on(TODAY) == ConsentStatus.REVOKED and revoked.revoked_by == front_desk
    assert AuditEvent.objects.get(action="authorization.revoked").client_id == record_client.pk
    with pytest.raises(ValidationError, match="already revoked"):
        consents.revoke_authorization(
            revoked, actor=front_desk, expected_version=2, revoked_on=TODAY, method="fax", today=TODAY
        )


def test_an_expiry_event_ends_an_authorisation(add_authorization, front_desk):
    dated = add_authorization()
    with pytest.raises(ValidationError, match="has no expiry event"):
        consents.record_expiry_event(dated, actor=front_desk, expected_version=1, occurred_on=TODAY, today=TODAY)
    authorization = add_authorization(expiry_date=None, expiry_event="Discharge")
    with pytest.raises(ValidationError, match="can't be in the future"):
        consents.record_expiry_event(
            authorization, actor=front_desk, expected_version=1, occurred_on=TODAY + DAY, today=TODAY
        )
    ended = consents.record_expiry_event(
        authorization, actor=front_desk, expected_version=1, occurred_on=TODAY - DAY, today=TODAY
    )
    assert AuditEvent.objects.get(action="authorization.expiry_event").client_id == authorization.client_id
    assert ended.status_on(TODAY - DAY) == ConsentStatus.EXPIRED
    assert ended.status_on(TODAY - 2 * DAY) == ConsentStatus.ACTIVE
    with pytest.raises(ValidationError, match="already recorded"):
        consents.record_expiry_event(ended, actor=front_desk, expected_version=2, occurred_on=TODAY, today=TODAY)


# --- 42 CFR Part 2 -------------------------------------------------------------------------------------------


def test_the_part2_flag_is_set_once_and_audited(in_clinic, front_desk, record_client):
    assert not consents.is_part2(record_client)
    consents.set_part2(record_client, actor=front_desk, part2=True)
    consents.set_part2(record_client, actor=front_desk, part2=True)
    assert consents.is_part2(record_client)
    assert ClientPrivacy.objects.get().changed_by == front_desk
    events = AuditEvent.objects.filter(action="client.part2_changed")
    assert events.count() == 1 and events.get().client_id == record_client.pk


def test_a_part2_client_needs_an_authorisation_listing_sud_records(add_authorization, front_desk, record_client):
    consents.set_part2(record_client, actor=front_desk, part2=True)
    with pytest.raises(ValidationError) as caught:
        add_authorization()
    errors = _errors(caught.value)
    assert "protected by 42 CFR Part 2" in errors["categories"]
    assert "how much and what kind" in errors["sud_description"]
    authorization = add_authorization(
        categories=["sud", "attendance"], sud_description="Dates of SUD treatment and attendance, 2026"
    )
    assert authorization.covers_sud and consents.part2_gaps(authorization) == []


def test_a_sud_disclosure_without_a_valid_authorisation_is_refused(add_authorization, disclose, front_desk):
    with pytest.raises(Part2Refusal, match="42 CFR Part 2"):
        disclose(legal_basis="court_order", recipient_name="County court", categories=["sud"])
    plain = add_authorization()
    with pytest.raises(Part2Refusal, match="does not list substance use disorder records"):
        disclose(plain, categories=["sud"])
    assert not Disclosure.objects.exists()


def test_every_release_of_a_part2_record_needs_a_sud_authorisation(
    add_authorization, disclose, front_desk, record_client
):
    plain = add_authorization()  # recorded before the record was flagged
    consents.set_part2(record_client, actor=front_desk, part2=True)
    with pytest.raises(Part2Refusal, match="does not list substance use disorder records"):
        disclose(plain, categories=["attendance"])
    with pytest.raises(Part2Refusal):
        disclose(legal_basis="mandated_report", recipient_name="Child protective services", categories=["attendance"])
    sud = add_authorization(categories=["sud", "attendance"], sud_description="Attendance at SUD treatment")
    disclosure = disclose(sud, categories=["attendance"])
    assert disclosure.involves_sud


def test_a_revoked_sud_authorisation_is_a_part2_refusal(add_authorization, disclose, front_desk):
    sud = add_authorization(categories=["sud"], sud_description="Treatment dates")
    consents.revoke_authorization(
        sud, actor=front_desk, expected_version=1, revoked_on=TODAY - 2 * DAY, method="writing", today=TODAY
    )
    with pytest.raises(Part2Refusal, match="revoked"):
        disclose(sud, categories=["sud"])


# --- Disclosures ---------------------------------------------------------------------------------------------


def test_a_disclosure_under_an_authorisation_copies_its_recipient(add_authorization, disclose, record_client):
    authorization = add_authorization()
    disclosure = disclose(authorization)
    assert disclosure.recipient_name == "Dr. Lee Park"
    assert disclosure.recipient_organization == "Valley Family Medicine"
    assert disclosure.recipient_address == "12 Elm St Springfield, IL 62701; fax (555) 123-0000"
    assert disclosure.purpose == authorization.purpose
    assert not disclosure.involves_sud
    event = AuditEvent.objects.get(action="disclosure.recorded")
    assert event.client_id == record_client.pk and event.detail["authorization_id"] == authorization.pk


def test_a_release_the_day_before_revocation_stands_and_on_the_day_is_refused(add_authorization, disclose, front_desk):
    authorization = add_authorization()
    disclose(authorization, disclosed_on=TODAY - 3 * DAY)
    consents.revoke_authorization(
        authorization, actor=front_desk, expected_version=1, revoked_on=TODAY - 2 * DAY, method="email", today=TODAY
    )
    disclose(authorization, disclosed_on=TODAY - 3 * DAY)  # logged late, made in reliance before revocation
    with pytest.raises(ValidationError, match="revoked on"):
        disclose(authorization, disclosed_on=TODAY - 2 * DAY)
    assert Disclosure.objects.count() == 2


@pytest.mark.parametrize(
    ("authorization_changes", "disclosure_changes", "field", "message"),
    [
        ({"expiry_date": TODAY - 2 * DAY}, {}, "authorization", "had ended by"),
        ({"signed_date": TODAY - DAY, "effective_date": TODAY + 5 * DAY}, {}, "authorization", "only takes effect"),
        ({}, {"categories": ["progress_notes"]}, "categories", "doesn't cover: Progress notes"),
        ({}, {"disclosed_on": TODAY + DAY}, "disclosed_on", "can't be in the future"),
        ({}, {"categories": [], "information_description": ""}, "categories", "Say what was released"),
        ({}, {"recipient_name": "Someone else"}, "recipient_name", "goes to the recipient it names"),
    ],
)
def test_disclosure_validation(authorization_changes, disclosure_changes, field, message, add_authorization, disclose):
    authorization = add_authorization(**authorization_changes)
    with pytest.raises(ValidationError) as caught:
        disclose(authorization, **disclosure_changes)
    assert message in _errors(caught.value)[field]
    assert not Disclosure.objects.exists()


def test_a_disclosure_needs_an_authorisation_or_a_legal_basis(add_authorization, disclose):
    with pytest.raises(ValidationError, match="Choose the authorisation this release relied on"):
        disclose(None)
    with pytest.raises(ValidationError, match="Name the person or organisation that received"):
        disclose(None, legal_basis="court_order")
    with pytest.raises(ValidationError, match="or leave the authorisation empty"):
        disclose(add_authorization(), legal_basis="court_order", recipient_name="County court")
    with pytest.raises(ValidationError, match="State the purpose"):
        disclose(None, legal_basis="court_order", recipient_name="County court")
    ordered = disclose(
        None,
        legal_basis="court_order",
        legal_basis_detail="Case 26-CV-100",
        recipient_name="County court",
        purpose="Subpoena for records",
    )
    assert ordered.basis_label == "Court order or subpoena: Case 26-CV-100"


def test_an_authorisation_of_another_client_cannot_back_a_disclosure(
    org, add_authorization, disclose, make_chart_client
):
    other = make_chart_client(org, first="Sam", last="Other")
    foreign = add_authorization(client=other)
    with pytest.raises(ValidationError, match="Choose one of this client's authorisations"):
        disclose(foreign)


def test_the_accounting_lists_the_period_and_can_leave_out_authorised_releases(
    add_authorization, disclose, record_client
):
    authorization = add_authorization(signed_date=TODAY - 900 * DAY, effective_date=TODAY - 900 * DAY)
    early = disclose(authorization, disclosed_on=TODAY - 800 * DAY)
    late = disclose(authorization, disclosed_on=TODAY - 5 * DAY)
    ordered = disclose(None, legal_basis="court_order", recipient_name="County court", purpose="Subpoena")
    rows = consents.accounting_of_disclosures(record_client, start=TODAY - 30 * DAY, end=TODAY)
    assert list(rows) == [late, ordered]
    everything = list(consents.accounting_of_disclosures(record_client, start=TODAY - 900 * DAY, end=TODAY))
    assert everything == [early, late, ordered]
    unauthorised = consents.accounting_of_disclosures(
        record_client, start=TODAY - 900 * DAY, end=TODAY, include_authorized=False
    )
    assert list(unauthorised) == [ordered]


def test_the_default_period_is_six_years():
    assert consents.default_accounting_period(TODAY) == (datetime.date(2020, 6, 15), TODAY)
    leap = datetime.date(2028, 2, 29)
    assert consents.default_accounting_period(leap) == (datetime.date(2022, 2, 28), leap)


# --- Views: who may do what -----------------------------------------------------------------------------------


@pytest.fixture
def filled_chart(org, front_desk, record_client):
    """A chart with a consent, a provider authorisation, a payer authorisation and one release."""
    with tenant_context(org):
        return _fill(record_client, front_desk)


def _fill(record_client, front_desk):
    today = clinic_today()
    data = {"signed_date": today - 10 * DAY, "effective_date": today - 10 * DAY, "expiry_date": today + 300 * DAY}
    provider = consents.add_authorization(record_client, actor=front_desk, data=_authorization_data(**data))
    consents.add_authorization(
        record_client,
        actor=front_desk,
        data=_authorization_data(
            recipient_kind="payer",
            recipient_name="Claims department",
            recipient_organization="Blue Valley Health",
            purpose="Payment of claims",
            categories=["diagnoses", "billing"],
            **data,
        ),
    )
    consents.record_consent(
        record_client,
        actor=front_desk,
        data={"kind": "treatment", "signed_date": today - 10 * DAY, "signed_by": "client"},
    )
    consents.record_disclosure(
        record_client,
        actor=front_desk,
        data=_disclosure_data(provider, disclosed_on=today - DAY, released_by=front_desk),
    )
    return record_client


@pytest.mark.parametrize("role", ["front_desk", "admin", "clinician", "supervisor"])
def test_front_desk_admins_and_the_caseload_see_the_whole_tab(
    role, request, org, supervisor, filled_chart, clinic_client
):
    from clients.care_team.models import CareTeamMember

    with tenant_context(org):
        CareTeamMember.objects.create(client=filled_chart, membership=supervisor)
    response = clinic_client(org, request.getfixturevalue(role)).get(f"/clients/{filled_chart.pk}/consents/")
    text = _text(response)
    assert response.status_code == 200
    assert "Consent to treatment" in text and "Dr. Lee Park" in text and "Coordination of care" in text
    assert "Record a consent" in text and "Log a release" in text and "Accounting of disclosures" in text
    event = AuditEvent.objects.filter(action="client.viewed").last()
    assert event.client_id == filled_chart.pk and event.detail == {"section": "consents"}


def test_billing_sees_only_whether_payers_may_receive_information(org, billing, filled_chart, clinic_client):
    response = clinic_client(org, billing).get(f"/clients/{filled_chart.pk}/consents/")
    text = _text(response)
    assert response.status_code == 200
    assert "Release of information to payers" in text and "Blue Valley Health" in text
    assert "Dr. Lee Park" not in text and "Payment of claims" not in text and "Record a consent" not in text
    for path in ("consents/new/", "releases/new/", "disclosures/new/", "disclosures/accounting/"):
        assert clinic_client(org, billing).get(f"/clients/{filled_chart.pk}/{path}").status_code == 403
    denied = AuditEvent.objects.filter(action="access.denied").values_list("detail__permission", flat=True)
    assert set(denied) == {
        "clients.consents.record",
        "clients.authorizations.add",
        "clients.disclosures.record",
        "clients.disclosures.accounting",
    }


CONSENT_PATHS = [
    "consents/",
    "consents/new/",
    "releases/new/",
    "disclosures/new/",
    "disclosures/accounting/",
    "disclosures/accounting/csv/",
]


@pytest.mark.parametrize("path", CONSENT_PATHS)
def test_a_clinician_outside_the_caseload_is_refused_and_audited(path, org, make_member, filled_chart, clinic_client):
    from accounts.roles import Role

    stranger = make_member(org, "dana", Role.CLINICIAN)
    response = clinic_client(org, stranger).get(f"/clients/{filled_chart.pk}/{path}")
    assert response.status_code == 403
    assert "Dr. Lee Park" not in _text(response)
    denied = AuditEvent.objects.get(action="access.denied")
    assert denied.detail["permission"] == "clients.view.consents" and denied.object_id == str(filled_chart.pk)


@pytest.mark.parametrize("path", CONSENT_PATHS)
def test_a_support_champion_is_refused(path, org, champion, filled_chart, clinic_client):
    assert clinic_client(org, champion).get(f"/clients/{filled_chart.pk}/{path}").status_code == 403
    assert AuditEvent.objects.filter(action="access.denied").exists()


@pytest.mark.parametrize("path", CONSENT_PATHS)
def test_another_clinics_client_is_404_and_audited(path, org, other_org, make_member, make_chart_client, clinic_client):
    from accounts.roles import Role

    foreign = make_chart_client(other_org)
    admin = make_member(org, "ada", Role.ADMINISTRATOR)
    assert clinic_client(org, admin).get(f"/clients/{foreign.pk}/{path}").status_code == 404
    miss = AuditEvent.objects.get(action="access.not_found")
    assert miss.object_id == str(foreign.pk) and miss.organization == org


def test_another_clients_authorisation_is_404_and_audited(
    org, front_desk, filled_chart, make_chart_client, clinic_client
):
    other = make_chart_client(org, first="Sam", last="Other")
    with tenant_context(org):
        authorization = filled_chart.authorizations.first()
    client = clinic_client(org, front_desk)
    for path in ("", "revoke/", "expiry-event/"):
        assert client.get(f"/clients/{other.pk}/releases/{authorization.pk}/{path}").status_code == 404
    assert AuditEvent.objects.filter(action="access.not_found", object_id=str(authorization.pk)).count() == 3


# --- Views: recording -----------------------------------------------------------------------------------------


@pytest.mark.dated
def test_front_desk_records_a_consent_and_revokes_it(org, front_desk, record_client, clinic_client):
    client = clinic_client(org, front_desk)
    with tenant_context(org):
        today = clinic_today()
    future = client.post(
        f"/clients/{record_client.pk}/consents/new/",
        {"kind": "treatment", "signed_date": (today + DAY).isoformat(), "signed_by": "client"},
    )
    assert "The signed date can&#x27;t be in the future." in future.content.decode()
    response = client.post(
        f"/clients/{record_client.pk}/consents/new/",
        {"kind": "telehealth", "signed_date": today.isoformat(), "signed_by": "client"},
    )
    assert response.status_code == 302
    with tenant_context(org):
        consent = Consent.objects.get()
    path = f"/clients/{record_client.pk}/consents/{consent.pk}/revoke/"
    assert client.get(path).status_code == 200
    stale = client.post(path, {"version": 5, "revoked_on": today.isoformat(), "reason": "Moved away"})
    assert "Someone else changed this consent" in _text(stale)
    assert client.post(path, {"version": 1, "revoked_on": today.isoformat(), "reason": "Moved away"}).status_code == 302
    text = _text(client.get(f"/clients/{record_client.pk}/consents/"))
    assert "Revoked" in text and "Moved away" in text and "No consent to treatment in force." in text


def test_empty_forms_say_what_is_missing(org, front_desk, record_client, clinic_client):
    client = clinic_client(org, front_desk)
    consent = _text(client.post(f"/clients/{record_client.pk}/consents/new/", {"signed_date": ""}))
    assert "Choose which consent was signed." in consent and "Enter the date it was signed." in consent
    release = _text(client.post(f"/clients/{record_client.pk}/releases/new/", {"purpose": ""}))
    for message in ("Choose the kind of recipient.", "Name the person or organisation", "State the purpose"):
        assert message in release
    disclosure = _text(client.post(f"/clients/{record_client.pk}/disclosures/new/", {"purpose": ""}))
    assert "Enter the date of the release." in disclosure and "Choose who released the information." in disclosure
    assert not AuditEvent.objects.filter(action__in=["consent.recorded", "authorization.added"]).exists()


@pytest.mark.dated
def test_an_authorisation_without_expiry_is_refused_with_a_clear_message(org, front_desk, record_client, clinic_client):
    with tenant_context(org):
        today = clinic_today()
    form = {
        **{k: v for k, v in _authorization_data().items() if v not in ("", None)},
        "signed_date": today.isoformat(),
        "effective_date": today.isoformat(),
        "expiry_date": "",
    }
    client = clinic_client(org, front_desk)
    response = client.post(f"/clients/{record_client.pk}/releases/new/", form)
    assert response.status_code == 200
    assert "Give an expiry date or an expiry event" in _text(response)
    form["expiry_event"] = "End of treatment"
    assert client.post(f"/clients/{record_client.pk}/releases/new/", form).status_code == 302
    with tenant_context(org):
        authorization = Authorization.objects.get()
    detail = _text(client.get(f"/clients/{record_client.pk}/releases/{authorization.pk}/"))
    assert "End of treatment" in detail and "Valley Family Medicine" in detail
    event_path = f"/clients/{record_client.pk}/releases/{authorization.pk}/expiry-event/"
    assert client.post(event_path, {"version": 1, "occurred_on": today.isoformat()}).status_code == 302
    assert "Expired" in _text(client.get(f"/clients/{record_client.pk}/consents/"))


def test_marking_part2_and_who_may_remove_it(org, front_desk, admin, record_client, clinic_client):
    desk = clinic_client(org, front_desk)
    assert desk.post(f"/clients/{record_client.pk}/consents/part2/", {"part2": "on"}).status_code == 302
    text = _text(desk.get(f"/clients/{record_client.pk}/consents/"))
    assert "Part 2" in text and "protected by 42 CFR Part 2" in text
    assert desk.post(f"/clients/{record_client.pk}/consents/part2/", {}).status_code == 403
    assert AuditEvent.objects.get(action="access.denied").detail["permission"] == "clients.part2"
    with tenant_context(org):
        assert consents.is_part2(record_client)
    assert clinic_client(org, admin).post(f"/clients/{record_client.pk}/consents/part2/", {}).status_code == 302
    with tenant_context(org):
        assert not consents.is_part2(record_client)
    assert AuditEvent.objects.filter(action="client.part2_changed").count() == 2


def test_a_part2_refusal_in_the_form_is_shown_and_audited(org, front_desk, record_client, clinic_client):
    with tenant_context(org):
        consents.set_part2(record_client, actor=front_desk, part2=True)
        today = clinic_today()
    response = clinic_client(org, front_desk).post(
        f"/clients/{record_client.pk}/disclosures/new/",
        {
            "disclosed_on": today.isoformat(),
            "legal_basis": "court_order",
            "recipient_name": "County court",
            "categories": ["attendance"],
            "purpose": "Subpoena",
            "released_by": front_desk.pk,
        },
    )
    assert response.status_code == 200
    assert "protected by 42 CFR Part 2" in _text(response)
    assert not Disclosure.all_tenants.exists()
    refused = AuditEvent.objects.get(action="disclosure.refused")
    assert refused.client_id == record_client.pk and refused.outcome == "denied"


@pytest.mark.dated
def test_front_desk_logs_a_release_and_the_accounting_shows_and_exports_it(
    org, front_desk, filled_chart, clinic_client
):
    with tenant_context(org):
        today = clinic_today()
        payer = filled_chart.authorizations.get(recipient_kind="payer")
    client = clinic_client(org, front_desk)
    response = client.post(
        f"/clients/{filled_chart.pk}/disclosures/new/",
        {
            "disclosed_on": today.isoformat(),
            "legal_basis": "authorization",
            "authorization": payer.pk,
            "categories": ["billing"],
            "information_description": '=HYPERLINK("http://evil")',
            "released_by": front_desk.pk,
        },
    )
    assert response.status_code == 302
    report = client.get(f"/clients/{filled_chart.pk}/disclosures/accounting/")
    text = _text(report)
    assert "Accounting of disclosures" in text and "Claims department, Blue Valley Health" in text
    assert "Dr. Lee Park" in text and "2 releases of information in the period" in text
    viewed = AuditEvent.objects.get(action="disclosures.accounting_viewed")
    assert viewed.client_id == filled_chart.pk and viewed.detail["count"] == 2
    assert viewed.detail["start"] == consents.default_accounting_period(today)[0].isoformat()

    export = client.get(
        f"/clients/{filled_chart.pk}/disclosures/accounting/csv/",
        {"start": (today - 30 * DAY).isoformat(), "end": today.isoformat(), "include_authorized": "on"},
    )
    assert export["Content-Type"].startswith("text/csv")
    assert f"disclosures-client-{filled_chart.number}-" in export["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][0] == "date_released" and len(rows) == 3
    assert rows[2][1] == "Claims department" and rows[2][4].startswith("Billing and payment records; =HYPERLINK")
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    exported = AuditEvent.objects.get(action="disclosures.accounting_exported")
    assert exported.client_id == filled_chart.pk and exported.detail["count"] == 2


def test_a_formula_in_the_first_cell_is_neutralised(org, front_desk, record_client, clinic_client):
    with tenant_context(org):
        today = clinic_today()
        consents.record_disclosure(
            record_client,
            actor=front_desk,
            data=_disclosure_data(
                None,
                disclosed_on=today,
                legal_basis="public_health",
                recipient_name="=cmd|' /C calc'!A0",
                purpose="+report",
                released_by=front_desk,
            ),
        )
    export = clinic_client(org, front_desk).get(f"/clients/{record_client.pk}/disclosures/accounting/csv/")
    row = list(csv.reader(io.StringIO(export.content.decode())))[1]
    assert row[1] == "'=cmd|' /C calc'!A0" and row[5] == "'+report"


def test_an_invalid_period_is_explained_and_not_reported(org, front_desk, record_client, clinic_client):
    client = clinic_client(org, front_desk)
    response = client.get(
        f"/clients/{record_client.pk}/disclosures/accounting/", {"start": "2026-05-01", "end": "2026-04-01"}
    )
    assert "The end of the period can&#x27;t be before its start." in response.content.decode()
    assert not AuditEvent.objects.filter(action="disclosures.accounting_viewed").exists()
    export = client.get(
        f"/clients/{record_client.pk}/disclosures/accounting/csv/", {"start": "2026-05-01", "end": "2026-04-01"}
    )
    assert export.status_code == 302 and "start=2026-05-01" in export["Location"]
    assert not AuditEvent.objects.filter(action="disclosures.accounting_exported").exists()


# --- Query budgets --------------------------------------------------------------------------------------------


def _grow(org, client, actor, n: int) -> None:
    with tenant_context(org):
        today = clinic_today()
        dates = {"signed_date": today - 10 * DAY, "effective_date": today - 10 * DAY, "expiry_date": today + DAY}
        for _ in range(n):
            authorization = consents.add_authorization(client, actor=actor, data=_authorization_data(**dates))
            consents.record_consent(
                client, actor=actor, data={"kind": "telehealth", "signed_date": today, "signed_by": "client"}
            )
            consents.record_disclosure(
                client, actor=actor, data=_disclosure_data(authorization, disclosed_on=today, released_by=actor)
            )


# The tab's 15: consents and disclosures are read a page at a time, so what is in force is one query of its own.
@pytest.mark.parametrize(("path", "budget"), [("consents/", 15), ("disclosures/accounting/", 11)])
def test_the_tab_and_the_report_have_a_fixed_query_count(
    path, budget, org, front_desk, record_client, clinic_client, django_assert_max_num_queries
):
    from django.db import connection

    client = clinic_client(org, front_desk)
    client.get("/")
    counts = []
    for rows in (1, 4):
        _grow(org, record_client, front_desk, rows)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/clients/{record_client.pk}/{path}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(budget + rls_queries()):
        client.get(f"/clients/{record_client.pk}/{path}")


def test_the_billing_summary_has_a_fixed_query_count(
    org, billing, front_desk, record_client, clinic_client, django_assert_max_num_queries
):
    _grow(org, record_client, front_desk, 3)
    client = clinic_client(org, billing)
    client.get("/")
    with django_assert_max_num_queries(12 + rls_queries()):
        assert client.get(f"/clients/{record_client.pk}/consents/").status_code == 200
