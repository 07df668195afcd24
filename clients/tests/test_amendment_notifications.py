"""After an accepted amendment (45 CFR 164.526(c)(2)-(3)): the client is told, agrees (or not) that others be told,
and each person listed ends notified or not reachable; suggestions come from the disclosures log."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from clients.amendments import services as amendments
from clients.amendments.models import AmendmentNotification, AmendmentRequest
from clients.consents.models import Disclosure
from clients.tests.test_amendments import RECEIVED, _text, _today
from conftest import rls_queries
from core.errors import ConflictError
from tenancy.context import tenant_context

LATER = RECEIVED + datetime.timedelta(days=5)
DR_LEE = {"recipient_name": "Dr. Lee", "recipient_organization": "Eastside Clinic", "kind": "client_identified"}


def _accept(org, amendment, member, today=RECEIVED, **answer):
    with tenant_context(org):
        return amendments.accept(
            amendment, actor=member, correction="Corrected.", today=today, expected_version=1, **answer
        )


def _add(org, amendment, member, method="fax", disclosure=None, **recipient):
    with tenant_context(org):
        return amendments.add_notification(
            amendment, actor=member, data={**DR_LEE, "method": method, **recipient}, disclosure=disclosure
        )


def _disclose(org, record, member, name, categories, on=RECEIVED - datetime.timedelta(days=30), organization=""):
    with tenant_context(org):
        return Disclosure.objects.create(
            client=record,
            disclosed_on=on,
            legal_basis="public_health",
            recipient_name=name,
            recipient_organization=organization,
            categories=categories,
            purpose="Report",
            released_by=member,
            recorded_by=member,
        )


@pytest.fixture
def accepted(org, clinician, make_chart_client, request_amendment):
    record = make_chart_client(org, primary=clinician)
    amendment = request_amendment(record, clinician)
    return record, _accept(org, amendment, clinician, client_informed_on=RECEIVED, notification_agreement="agreed")


# --- The rules -----------------------------------------------------------------------------------------------


def test_accepting_records_when_the_client_was_told_and_their_agreement(
    org,
    clinician,
    make_chart_client,
    request_amendment,
):
    record = make_chart_client(org, primary=clinician)
    with pytest.raises(ValidationError) as refused:
        _accept(org, request_amendment(record, clinician), clinician, client_informed_on=LATER)
    assert refused.value.message_dict == {
        "client_informed_on": ["The date the client was told can't be in the future."]
    }
    amendment = _accept(org, request_amendment(record, clinician), clinician)
    assert (amendment.client_informed_on, amendment.notification_agreement) == (None, "")
    with tenant_context(org):
        with pytest.raises(ValidationError, match="before the request was accepted"):
            amendments.record_client_response(
                amendment,
                actor=clinician,
                informed_on=RECEIVED - datetime.timedelta(days=1),
                agreement="agreed",
                today=LATER,
                expected_version=2,
            )
        answered = amendments.record_client_response(
            amendment, actor=clinician, informed_on=LATER, agreement="agreed", today=LATER, expected_version=2
        )
        with pytest.raises(ConflictError):
            amendments.record_client_response(
                amendment, actor=clinician, informed_on=LATER, agreement="declined", today=LATER, expected_version=2
            )
        pending = request_amendment(record, clinician)
        with pytest.raises(ValidationError, match="Only an accepted amendment"):
            amendments.record_client_response(
                pending, actor=clinician, informed_on=None, agreement="agreed", today=LATER, expected_version=1
            )
    assert (answered.client_informed_on, answered.notification_agreement, answered.version) == (LATER, "agreed", 3)
    event = AuditEvent.objects.get(action="amendment.client_response_recorded")
    assert event.detail == {"section": "clinical", "client_informed": True, "agreement": "agreed"}


def test_no_one_is_listed_without_the_clients_agreement(org, clinician, make_chart_client, request_amendment):
    record = make_chart_client(org, primary=clinician)
    declined = _accept(org, request_amendment(record, clinician), clinician, notification_agreement="declined")
    with pytest.raises(ValidationError, match="client agreed that others be notified"):
        _add(org, declined, clinician)
    with tenant_context(org):
        assert not AmendmentNotification.objects.exists()


def test_a_listed_recipient_is_notified_once_and_audited_without_names(org, clinician, accepted):
    record, amendment = accepted
    with pytest.raises(ValidationError) as refused:
        _add(org, amendment, clinician, method="carrier pigeon", kind="friend", recipient_name=" ")
    assert set(refused.value.message_dict) == {"recipient_name", "kind", "method"}
    notification = _add(org, amendment, clinician)
    with pytest.raises(ValidationError, match="already on the list"):
        _add(org, amendment, clinician, recipient_name="dr. lee ", recipient_organization="EASTSIDE CLINIC")
    with tenant_context(org):
        with pytest.raises(ValidationError) as refused:
            amendments.record_notification_outcome(
                notification, actor=clinician, outcome="notified", on=LATER, note="", today=RECEIVED, expected_version=1
            )
        assert refused.value.message_dict == {"on": ["The date can't be in the future."]}
        done = amendments.record_notification_outcome(
            notification, actor=clinician, outcome="notified", on=LATER, note="ignored", today=LATER, expected_version=1
        )
        with pytest.raises(ConflictError):
            amendments.record_notification_outcome(
                notification,
                actor=clinician,
                outcome="unreachable",
                on=LATER,
                note="x",
                today=LATER,
                expected_version=1,
            )
        with pytest.raises(ValidationError, match="already recorded: notified"):
            amendments.record_notification_outcome(
                done, actor=clinician, outcome="unreachable", on=LATER, note="x", today=LATER, expected_version=2
            )
    assert (done.status, done.done_on, done.done_by, done.note, done.version) == ("notified", LATER, clinician, "", 2)
    added = AuditEvent.objects.get(action="amendment.notification_added")
    assert added.client_id == record.pk and "Lee" not in str(added.detail)
    assert added.detail == {
        "amendment_id": amendment.pk,
        "section": "clinical",
        "kind": "client_identified",
        "method": "fax",
        "disclosure_id": None,
    }
    assert AuditEvent.objects.get(action="amendment.notification_notified").detail["on"] == LATER.isoformat()


def test_could_not_be_reached_needs_a_note(org, clinician, accepted):
    _record, amendment = accepted
    notification = _add(org, amendment, clinician, method="mail")
    with tenant_context(org):
        with pytest.raises(ValidationError, match="Say what was tried"):
            amendments.record_notification_outcome(
                notification,
                actor=clinician,
                outcome="unreachable",
                on=LATER,
                note=" ",
                today=LATER,
                expected_version=1,
            )
        with pytest.raises(ValidationError, match="before the amendment was accepted"):
            amendments.record_notification_outcome(
                notification,
                actor=clinician,
                outcome="notified",
                on=RECEIVED - datetime.timedelta(days=1),
                note="",
                today=LATER,
                expected_version=1,
            )
        unreachable = amendments.record_notification_outcome(
            notification,
            actor=clinician,
            outcome="unreachable",
            on=LATER,
            note="Letter returned, no forwarding address",
            today=LATER,
            expected_version=1,
        )
        with pytest.raises(ValidationError, match="can't be changed to declined"):
            amendments.record_client_response(
                amendment, actor=clinician, informed_on=RECEIVED, agreement="declined", today=LATER, expected_version=2
            )
    assert unreachable.status == "unreachable" and unreachable.note == "Letter returned, no forwarding address"


def test_suggestions_are_recipients_of_that_part_of_the_record_before_the_acceptance(
    org, clinician, make_chart_client, accepted
):
    record, amendment = accepted
    _disclose(org, record, clinician, "Dr. Lee", ["progress_notes"], organization="Eastside Clinic")
    _disclose(org, record, clinician, "County Health", ["diagnoses", "demographics"])
    _disclose(org, record, clinician, "County Health", ["treatment_summary"])
    _disclose(org, record, clinician, "Employer HR", ["demographics"])
    _disclose(org, record, clinician, "Late Insurer", ["progress_notes"], on=RECEIVED + datetime.timedelta(days=1))
    other = make_chart_client(org, first="Other", primary=clinician)
    _disclose(org, other, clinician, "Someone else's", ["progress_notes"])
    _add(org, amendment, clinician)
    with tenant_context(org):
        names = [d.recipient_name for d in amendments.suggested_recipients(amendment)]
    assert names == ["County Health"]


# --- Through the screens -------------------------------------------------------------------------------------


@pytest.mark.dated
def test_a_clinician_accepts_lists_a_suggested_recipient_and_marks_them_notified(
    org,
    clinician,
    make_chart_client,
    clinic_client,
    request_amendment,
):
    record = make_chart_client(org, primary=clinician)
    today = _today(org)
    amendment = request_amendment(record, clinician, received_on=today, today=today)
    disclosure = _disclose(org, record, clinician, "Dr. Lee", ["progress_notes"], on=today, organization="Eastside")
    client = clinic_client(org, clinician)
    base = f"/clients/{record.pk}/amendments/{amendment.pk}/"
    accept = client.post(
        base + "accept/",
        {
            "accept-version": 1,
            "accept-correction": "Sleeps 6 hours.",
            "accept-client_informed_on": today.isoformat(),
            "accept-notification_agreement": "agreed",
        },
    )
    assert accept.status_code == 302
    page = _text(client.get(base))
    assert "Add someone to notify" in page and "From the disclosures log" in page
    assert f"?from_disclosure={disclosure.pk}" in page
    suggested = AuditEvent.objects.filter(action="amendment.recipients_suggested").last()
    assert suggested.detail == {"section": "consents", "disclosure_ids": [disclosure.pk]}
    prefilled = _text(client.get(base, {"from_disclosure": disclosure.pk}))
    assert 'value="Dr. Lee"' in prefilled and f'name="notify-disclosure" value="{disclosure.pk}"' in prefilled

    missing = client.post(base + "notifications/", {"notify-recipient_name": "Dr. Lee", "notify-disclosure": ""})
    assert missing.status_code == 200
    assert "Choose how they will be told: mail, fax, phone or secure email." in _text(missing)
    added = client.post(
        base + "notifications/",
        {
            "notify-recipient_name": "Dr. Lee",
            "notify-recipient_organization": "Eastside",
            "notify-kind": "client_identified",
            "notify-method": "secure_email",
            "notify-disclosure": disclosure.pk,
        },
    )
    assert added.status_code == 302
    with tenant_context(org):
        notification = AmendmentNotification.objects.get()
    assert notification.disclosure_id == disclosure.pk and notification.method == "secure_email"
    page = _text(client.get(base))
    assert "1 still to notify." in page and "From the disclosures log" not in page
    tab = _text(client.get(f"/clients/{record.pk}/amendments/"))
    assert "1 person still to be told of accepted amendments." in tab and "(1 to notify)" in tab

    url = f"{base}notifications/{notification.pk}/"
    prefix = f"n{notification.pk}"
    refused = client.post(url, {f"{prefix}-version": 1, f"{prefix}-outcome": "unreachable", f"{prefix}-on": today})
    assert "Say what was tried" in _text(refused)
    done = client.post(url, {f"{prefix}-version": 1, f"{prefix}-outcome": "notified", f"{prefix}-on": today})
    assert done.status_code == 302
    page = _text(client.get(base))
    assert f"Notified {today:%b} {today.day}, {today.year} by Carol Clinician" in page and "still to notify" not in page
    stale = client.post(url, {f"{prefix}-version": 1, f"{prefix}-outcome": "notified", f"{prefix}-on": today})
    assert "Someone else recorded this notification" in _text(stale)


@pytest.mark.dated
def test_recording_the_clients_answer_later(org, clinician, make_chart_client, clinic_client, request_amendment):
    record = make_chart_client(org, primary=clinician)
    today = _today(org)
    amendment = _accept(org, request_amendment(record, clinician, received_on=today, today=today), clinician, today)
    client = clinic_client(org, clinician)
    base = f"/clients/{record.pk}/amendments/{amendment.pk}/"
    pending = request_amendment(record, clinician, received_on=today, today=today)
    early = client.post(
        f"/clients/{record.pk}/amendments/{pending.pk}/response/",
        {"response-version": 1, "response-notification_agreement": "agreed"},
    )
    assert "Only an accepted amendment is followed by telling the client and others." in _text(early)
    page = _text(client.get(base))
    assert "Record the client's answer" in page and "Add someone to notify" not in page
    bad = client.post(base + "response/", {"response-version": 2, "response-notification_agreement": "maybe"})
    assert "Choose whether the client agreed that others be notified." in _text(bad)
    done = client.post(
        base + "response/",
        {"response-version": 2, "response-client_informed_on": today, "response-notification_agreement": "agreed"},
    )
    assert done.status_code == 302
    page = _text(client.get(base))
    assert "Record the client's answer" not in page and "Add someone to notify" in page


def test_a_notification_of_another_clinic_or_request_is_a_404_and_audited(
    org,
    other_org,
    clinician,
    make_member,
    make_chart_client,
    clinic_client,
    request_amendment,
    accepted,
):
    record, amendment = accepted
    mine = _add(org, amendment, clinician)
    second = _accept(org, request_amendment(record, clinician), clinician, notification_agreement="agreed")
    foreign_clinician = make_member(other_org, "olga", "clinician")
    foreign_client = make_chart_client(other_org, primary=foreign_clinician)
    with tenant_context(other_org):
        foreign = amendments.record_request(
            foreign_client,
            actor=foreign_clinician,
            data={
                "section": "clinical",
                "record_description": "x",
                "document": None,
                "requested_change": "y",
                "received_on": RECEIVED,
            },
            today=RECEIVED,
        )
        amendments.accept(
            foreign,
            actor=foreign_clinician,
            correction="z",
            today=RECEIVED,
            expected_version=1,
            notification_agreement="agreed",
        )
        theirs = amendments.add_notification(foreign, actor=foreign_clinician, data={**DR_LEE, "method": "fax"})
    client = clinic_client(org, clinician)
    post = {f"n{mine.pk}-version": 1, f"n{mine.pk}-outcome": "notified", f"n{mine.pk}-on": RECEIVED}
    assert client.post(f"/clients/{record.pk}/amendments/{second.pk}/notifications/{mine.pk}/", post).status_code == 404
    assert (
        client.post(f"/clients/{record.pk}/amendments/{amendment.pk}/notifications/{theirs.pk}/", post).status_code
        == 404
    )
    add = {"notify-recipient_name": "X", "notify-kind": "client_identified", "notify-method": "fax"}
    assert client.post(f"/clients/{foreign_client.pk}/amendments/{foreign.pk}/notifications/", add).status_code == 404
    misses = AuditEvent.objects.filter(action="access.not_found", organization=org).order_by("pk")
    assert [e.object_id for e in misses] == [str(mine.pk), str(theirs.pk), str(foreign.pk)]
    with tenant_context(org):
        assert AmendmentNotification.objects.get(pk=mine.pk).status == "to_notify"


def test_only_those_who_decide_the_request_record_notifications(
    org,
    front_desk,
    clinician,
    make_chart_client,
    clinic_client,
    request_amendment,
):
    record = make_chart_client(org, primary=clinician)
    clinical = _accept(org, request_amendment(record, clinician), clinician, notification_agreement="agreed")
    notification = _add(org, clinical, clinician)
    desk = clinic_client(org, front_desk)
    post = {
        f"n{notification.pk}-version": 1,
        f"n{notification.pk}-outcome": "notified",
        f"n{notification.pk}-on": RECEIVED,
    }
    url = f"/clients/{record.pk}/amendments/{clinical.pk}/notifications/{notification.pk}/"
    assert desk.post(url, post).status_code == 403
    address = _accept(
        org, request_amendment(record, front_desk, section="demographics"), front_desk, notification_agreement="agreed"
    )
    add = {"notify-recipient_name": "X", "notify-kind": "client_identified", "notify-method": "fax"}
    own = clinic_client(org, clinician)
    assert own.post(f"/clients/{record.pk}/amendments/{address.pk}/notifications/", add).status_code == 403
    response = {"response-version": 2, "response-notification_agreement": "declined"}
    assert own.post(f"/clients/{record.pk}/amendments/{address.pk}/response/", response).status_code == 403
    assert "Add someone to notify" not in _text(own.get(f"/clients/{record.pk}/amendments/{address.pk}/"))
    denied = AuditEvent.objects.filter(action="access.denied").order_by("pk")
    assert [e.detail["permission"] for e in denied] == [
        "clients.view.clinical",
        "clients.amendments.decide",
        "clients.amendments.decide",
    ]
    with tenant_context(org):
        assert AmendmentNotification.objects.get().status == "to_notify"
        assert AmendmentRequest.objects.get(pk=address.pk).notification_agreement == "agreed"


@pytest.mark.parametrize("count", [2, 10])
def test_the_amendment_page_with_notifications_has_a_fixed_query_count(
    count, org, clinician, clinic_client, accepted, django_assert_max_num_queries
):
    record, amendment = accepted
    for n in range(count):
        _add(org, amendment, clinician, recipient_name=f"Office {n}")
        _disclose(org, record, clinician, f"Provider {n}", ["progress_notes"])
    client = clinic_client(org, clinician)
    client.get("/")
    with django_assert_max_num_queries(14 + rls_queries()):  # 3 audit events (chart, request, suggestions), banner
        response = client.get(f"/clients/{record.pk}/amendments/{amendment.pk}/")
    assert response.status_code == 200
    assert _text(response).count("Record outcome") == count
