"""Amendment requests (HIPAA right to amend): deadlines, one extension, append-only acceptance, listed denial
grounds, who decides, 404/403 with audit, and a fixed query count for the tab."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from clients.amendments import services as amendments
from clients.amendments.models import AmendmentRequest
from clients.documents import services as documents
from clients.documents.models import ClientDocument
from conftest import rls_queries
from core import uploads
from core.clinic_time import clinic_today
from core.errors import ConflictError
from core.tests.files import pdf_bytes
from tenancy.context import tenant_context

RECEIVED = datetime.date(2026, 3, 2)


def _text(response) -> str:
    return unescape(response.content.decode())


def _today(org) -> datetime.date:
    return clinic_today(org)


def _document(org, record, member, category="assessment", title="PHQ-9 results"):
    with tenant_context(org):
        return documents.upload_document(
            record,
            actor=member,
            checked=uploads.check_upload(SimpleUploadedFile("phq9.pdf", pdf_bytes(title))),
            title=title,
            category=category,
            section=documents.section_for(category),
        )


# --- The rules -----------------------------------------------------------------------------------------------


def test_a_request_is_due_sixty_days_after_receipt(org, clinician, make_chart_client, request_amendment):
    record = make_chart_client(org, primary=clinician)
    amendment = request_amendment(record, clinician)
    assert amendment.due_on == datetime.date(2026, 5, 1)
    assert amendment.status == "pending" and amendment.recorded_by == clinician
    assert not amendment.is_overdue(datetime.date(2026, 5, 1))
    assert amendment.is_overdue(datetime.date(2026, 5, 2))
    event = AuditEvent.objects.get(action="amendment.requested")
    assert event.client_id == record.pk and event.detail == {"section": "clinical", "document_id": None}
    with pytest.raises(ValidationError, match="can't be in the future"):
        request_amendment(record, clinician, received_on=RECEIVED, today=RECEIVED - datetime.timedelta(days=1))


def test_one_thirty_day_extension_with_a_reason_before_the_deadline(
    org, clinician, make_chart_client, request_amendment
):
    record = make_chart_client(org, primary=clinician)
    amendment = request_amendment(record, clinician)
    with tenant_context(org):
        with pytest.raises(ValidationError, match="reason for the delay"):
            amendments.extend(amendment, actor=clinician, reason="  ", today=RECEIVED, expected_version=1)
        extended = amendments.extend(
            amendment, actor=clinician, reason="Waiting for the author's review", today=RECEIVED, expected_version=1
        )
        assert extended.due_on == datetime.date(2026, 5, 31)
        assert extended.was_extended and extended.extended_by == clinician
        with pytest.raises(ValidationError, match="already been extended once"):
            amendments.extend(extended, actor=clinician, reason="Again", today=RECEIVED, expected_version=2)
        late = request_amendment(record, clinician)
        with pytest.raises(ValidationError, match="ran out on May 1, 2026"):
            amendments.extend(late, actor=clinician, reason="Busy", today=datetime.date(2026, 5, 2), expected_version=1)
        assert AmendmentRequest.objects.get(pk=late.pk).due_on == datetime.date(2026, 5, 1)
    assert AuditEvent.objects.filter(action="amendment.extended").count() == 1


def test_accepting_appends_the_correction_and_keeps_the_original(org, clinician, make_chart_client, request_amendment):
    record = make_chart_client(org, primary=clinician)
    document = _document(org, record, clinician)
    amendment = request_amendment(record, clinician, section="demographics", document=document)
    assert amendment.section == "clinical", "a request about a document takes the document's section"
    with tenant_context(org):
        with pytest.raises(ValidationError, match="Write the correction"):
            amendments.accept(amendment, actor=clinician, correction=" ", today=RECEIVED, expected_version=1)
        accepted = amendments.accept(
            amendment,
            actor=clinician,
            correction="Client reports sleeping about 6 hours a night.",
            today=RECEIVED,
            expected_version=1,
        )
        original = ClientDocument.objects.get(pk=document.pk)
        with pytest.raises(ValidationError, match="already accepted"):
            amendments.deny(
                accepted,
                actor=clinician,
                ground="accurate_and_complete",
                explanation="x",
                today=RECEIVED,
                expected_version=2,
            )
    assert (accepted.status, accepted.decided_on, accepted.decided_by) == ("accepted", RECEIVED, clinician)
    assert (original.sha256, original.version, original.status, original.title) == (
        document.sha256,
        1,
        "current",
        "PHQ-9 results",
    )
    assert uploads.private_storage().open(original.stored_name).read() == pdf_bytes("PHQ-9 results")
    event = AuditEvent.objects.get(action="amendment.accepted")
    assert event.detail == {
        "section": "clinical",
        "document_id": document.pk,
        "client_informed": False,
        "notification_agreement": "",
    }
    assert "6 hours" not in str(event.detail)


def test_a_denial_needs_a_listed_ground_and_an_explanation(org, clinician, make_chart_client, request_amendment):
    record = make_chart_client(org, primary=clinician)
    amendment = request_amendment(record, clinician)
    with tenant_context(org):
        with pytest.raises(ValidationError) as refused:
            amendments.deny(
                amendment, actor=clinician, ground="we disagree", explanation="", today=RECEIVED, expected_version=1
            )
        assert set(refused.value.message_dict) == {"denial_ground", "denial_explanation"}
        denied = amendments.deny(
            amendment,
            actor=clinician,
            ground="accurate_and_complete",
            explanation="The note records what you said in session.",
            today=RECEIVED,
            expected_version=1,
        )
        assert denied.get_denial_ground_display() == "Accurate and complete as it is"
        with pytest.raises(IntegrityError), transaction.atomic():
            AmendmentRequest.objects.filter(pk=denied.pk).update(denial_ground="")
    assert AuditEvent.objects.get(action="amendment.denied").detail == {
        "section": "clinical",
        "ground": "accurate_and_complete",
    }


def test_a_statement_of_disagreement_follows_a_denial_once(org, clinician, make_chart_client, request_amendment):
    record = make_chart_client(org, primary=clinician)
    pending = request_amendment(record, clinician)
    later = RECEIVED + datetime.timedelta(days=10)
    with tenant_context(org):
        with pytest.raises(ValidationError, match="only follow a denial"):
            amendments.record_disagreement(
                pending, actor=clinician, statement="No", received_on=later, today=later, expected_version=1
            )
        denied = amendments.deny(
            pending,
            actor=clinician,
            ground="not_created",
            explanation="Hospital record",
            today=later,
            expected_version=1,
        )
        with pytest.raises(ValidationError, match="before the denial"):
            amendments.record_disagreement(
                denied, actor=clinician, statement="No", received_on=RECEIVED, today=later, expected_version=2
            )
        filed = amendments.record_disagreement(
            denied, actor=clinician, statement="I still disagree.", received_on=later, today=later, expected_version=2
        )
        with pytest.raises(ValidationError, match="already on file"):
            amendments.record_disagreement(
                filed, actor=clinician, statement="Again", received_on=later, today=later, expected_version=3
            )
    assert filed.disagreement == "I still disagree." and filed.disagreement_recorded_by == clinician


def test_a_stale_decision_is_refused(org, clinician, make_chart_client, request_amendment):
    record = make_chart_client(org, primary=clinician)
    amendment = request_amendment(record, clinician)
    with tenant_context(org):
        amendments.extend(amendment, actor=clinician, reason="Need the author", today=RECEIVED, expected_version=1)
        with pytest.raises(ConflictError):
            amendments.accept(amendment, actor=clinician, correction="x", today=RECEIVED, expected_version=1)
        assert AmendmentRequest.objects.get(pk=amendment.pk).status == "pending"


def test_a_document_of_another_client_cannot_be_named(org, clinician, make_chart_client, request_amendment):
    record = make_chart_client(org, primary=clinician)
    other = make_chart_client(org, first="Other", primary=clinician)
    with pytest.raises(ValidationError, match="not in this client's chart"):
        request_amendment(record, clinician, document=_document(org, other, clinician))


# --- Through the screens -------------------------------------------------------------------------------------


@pytest.mark.dated
def test_a_clinician_records_and_accepts_a_request_and_both_versions_show(
    org, clinician, make_chart_client, clinic_client
):
    record = make_chart_client(org, primary=clinician)
    document = _document(org, record, clinician)
    client = clinic_client(org, clinician)
    today = _today(org)
    form = client.get(f"/clients/{record.pk}/amendments/new/")
    assert "PHQ-9 results" in _text(form)
    missing = client.post(f"/clients/{record.pk}/amendments/new/", {"received_on": today.isoformat()})
    assert "Say which record the client wants amended." in _text(missing)
    assert "Enter the change as the client stated it." in _text(missing)
    response = client.post(
        f"/clients/{record.pk}/amendments/new/",
        {
            "section": "demographics",
            "record_description": "PHQ-9 of March",
            "document": document.pk,
            "requested_change": "Item 9 should be 0, not 1.",
            "received_on": today.isoformat(),
        },
    )
    assert response.status_code == 302
    with tenant_context(org):
        amendment = AmendmentRequest.objects.get()
    assert amendment.section == "clinical"
    detail = _text(client.get(response["Location"]))
    assert "Item 9 should be 0, not 1." in detail and "Accept and append correction" in detail
    assert f"A decision is due by {amendment.due_on:%b %d, %Y}" in detail

    accept = client.post(
        f"/clients/{record.pk}/amendments/{amendment.pk}/accept/",
        {"accept-version": 1, "accept-correction": "Item 9 corrected to 0 at the client's request."},
    )
    assert accept.status_code == 302
    page = _text(client.get(accept["Location"]))
    assert "Item 9 corrected to 0 at the client's request." in page
    assert "PHQ-9 results" in page and "Kept unchanged." in page
    assert f"/clients/{record.pk}/documents/{document.pk}/open/" in page
    assert "Accept and append correction" not in page
    listing = _text(client.get(f"/clients/{record.pk}/documents/"))
    assert f'href="/clients/{record.pk}/amendments/{amendment.pk}/">Amended' in listing


def test_denying_without_a_ground_shows_a_specific_message(
    org, clinician, make_chart_client, clinic_client, request_amendment
):
    record = make_chart_client(org, primary=clinician)
    amendment = request_amendment(record, clinician)
    client = clinic_client(org, clinician)
    url = f"/clients/{record.pk}/amendments/{amendment.pk}/deny/"
    response = client.post(
        url, {"deny-version": 1, "deny-denial_ground": "we_just_dont", "deny-denial_explanation": ""}
    )
    text = _text(response)
    assert response.status_code == 200
    assert "Choose one of the grounds HIPAA allows for a denial." in text
    assert "Explain the denial in plain words" in text
    response = client.post(
        url,
        {
            "deny-version": 1,
            "deny-denial_ground": "not_in_record_set",
            "deny-denial_explanation": "Appointment reminders are not part of your record.",
        },
    )
    assert response.status_code == 302
    page = _text(client.get(response["Location"]))
    assert "Not part of the designated record set" in page
    assert "Record the client's statement of disagreement" in page
    assert client.get(url).status_code == 405


def test_the_extension_form_goes_away_once_used(org, clinician, make_chart_client, clinic_client, request_amendment):
    record = make_chart_client(org, primary=clinician)
    today = _today(org)
    amendment = request_amendment(record, clinician, received_on=today, today=today)
    client = clinic_client(org, clinician)
    assert "Extend by 30 days" in _text(client.get(f"/clients/{record.pk}/amendments/{amendment.pk}/"))
    url = f"/clients/{record.pk}/amendments/{amendment.pk}/extend/"
    assert "Give the reason" in _text(client.post(url, {"extend-version": 1, "extend-extension_reason": ""}))
    done = client.post(url, {"extend-version": 1, "extend-extension_reason": "The author is on leave."})
    assert done.status_code == 302
    page = _text(client.get(done["Location"]))
    assert "Extend by 30 days" not in page and "extended once by Carol Clinician: The author is on leave." in page
    again = client.post(url, {"extend-version": 2, "extend-extension_reason": "More leave."})
    assert "only one extension is allowed" in _text(again)


@pytest.mark.dated
def test_overdue_requests_stand_out(org, clinician, make_chart_client, clinic_client, request_amendment):
    record = make_chart_client(org, primary=clinician)
    today = _today(org)
    late = request_amendment(record, clinician, received_on=today - datetime.timedelta(days=61), today=today)
    request_amendment(record, clinician, received_on=today, today=today, record_description="intake form")
    text = _text(clinic_client(org, clinician).get(f"/clients/{record.pk}/amendments/"))
    assert "1 request is past its due date. Decide it now." in text
    assert text.count('class="overdue"') == 1 and text.count(">Overdue<") == 1
    assert text.index("progress note of 2026-03-02") < text.index("intake form"), "overdue first: soonest due"
    detail = _text(clinic_client(org, clinician).get(f"/clients/{record.pk}/amendments/{late.pk}/"))
    assert "Overdue:" in detail


@pytest.mark.parametrize(
    ("role", "section", "view", "decide"),
    [
        ("clinician", "clinical", 200, True),
        ("supervisor", "clinical", 200, True),
        ("front_desk", "clinical", 403, False),
        ("admin", "clinical", 403, False),
        ("front_desk", "demographics", 200, True),
        ("admin", "demographics", 200, True),
        ("clinician", "demographics", 200, False),
        ("billing", "demographics", 200, False),
        ("front_desk", "insurance", 200, True),
        ("billing", "billing", 200, True),
        ("admin", "billing", 200, True),
        ("front_desk", "billing", 403, False),
    ],
)
def test_who_decides_depends_on_the_part_of_the_chart(
    role, section, view, decide, request, org, make_member, make_chart_client, clinic_client, request_amendment
):
    member = request.getfixturevalue(role)
    primary = member if role in ("clinician", "supervisor") else make_member(org, "pat", "clinician")
    record = make_chart_client(org, primary=primary)
    amendment = request_amendment(record, primary, section=section)
    client = clinic_client(org, member)
    detail = client.get(f"/clients/{record.pk}/amendments/{amendment.pk}/")
    assert detail.status_code == view
    assert ("Accept and append correction" in _text(detail)) is decide
    accepted = client.post(
        f"/clients/{record.pk}/amendments/{amendment.pk}/accept/",
        {"accept-version": 1, "accept-correction": "Corrected."},
    )
    assert accepted.status_code == (302 if decide else 403)
    with tenant_context(org):
        assert AmendmentRequest.objects.get(pk=amendment.pk).status == ("accepted" if decide else "pending")
    if not decide:
        assert AuditEvent.objects.filter(action="access.denied").exists()


def test_the_tab_lists_only_requests_in_the_persons_sections(
    org, front_desk, clinician, make_chart_client, clinic_client, request_amendment
):
    record = make_chart_client(org, primary=clinician)
    request_amendment(record, clinician, section="clinical", record_description="session note of March 2")
    request_amendment(record, clinician, section="demographics", record_description="home address")
    desk = _text(clinic_client(org, front_desk).get(f"/clients/{record.pk}/amendments/"))
    assert "home address" in desk and "session note of March 2" not in desk
    own = _text(clinic_client(org, clinician).get(f"/clients/{record.pk}/amendments/"))
    assert "home address" in own and "session note of March 2" in own
    listed = AuditEvent.objects.filter(action="amendment.listed").order_by("pk").first()
    assert listed.detail == {"sections": ["consents", "demographics", "insurance"], "count": 1}


def test_another_clients_or_clinics_request_is_a_404_and_audited(
    org, other_org, clinician, make_member, make_chart_client, clinic_client, request_amendment
):
    mine = make_chart_client(org, primary=clinician)
    theirs = make_chart_client(org, first="Other", primary=clinician)
    amendment = request_amendment(theirs, clinician)
    client = clinic_client(org, clinician)
    assert client.get(f"/clients/{mine.pk}/amendments/{amendment.pk}/").status_code == 404
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
    assert client.get(f"/clients/{foreign_client.pk}/amendments/{foreign.pk}/").status_code == 404
    accept = {"accept-version": 1, "accept-correction": "z"}
    assert client.post(f"/clients/{mine.pk}/amendments/{foreign.pk}/accept/", accept).status_code == 404
    misses = AuditEvent.objects.filter(action="access.not_found", organization=org).order_by("pk")
    assert [e.object_id for e in misses] == [str(amendment.pk), str(foreign.pk), str(foreign.pk)]
    with tenant_context(other_org):
        assert AmendmentRequest.objects.get(pk=foreign.pk).status == "pending"


def test_out_of_section_is_a_403_and_audited(
    org, front_desk, clinician, make_chart_client, clinic_client, request_amendment
):
    record = make_chart_client(org, primary=clinician)
    amendment = request_amendment(record, clinician, section="clinical")
    assert clinic_client(org, front_desk).get(f"/clients/{record.pk}/amendments/{amendment.pk}/").status_code == 403
    assert AuditEvent.objects.get(action="access.denied").detail["permission"] == "clients.view.clinical"
    form = _text(clinic_client(org, front_desk).get(f"/clients/{record.pk}/amendments/new/"))
    assert '<option value="clinical">' not in form


@pytest.mark.parametrize("count", [2, 12])
def test_the_amendments_tab_has_a_fixed_query_count(
    count, org, clinician, make_chart_client, clinic_client, request_amendment, django_assert_max_num_queries
):
    record = make_chart_client(org, primary=clinician)
    document = _document(org, record, clinician)
    for n in range(count):
        amendment = request_amendment(record, clinician, document=document if n % 2 else None)
        if n % 3 == 0:
            with tenant_context(org):
                amendments.accept(amendment, actor=clinician, correction="ok", today=RECEIVED, expected_version=1)
    client = clinic_client(org, clinician)
    client.get("/")
    # Two audit events (chart read, list), one INSERT each; the overdue and outstanding counts are one query of
    # their own, since the tab shows a page of requests.
    # One more for the safety banner a clinician's chart pages carry (the measures app).
    with django_assert_max_num_queries(12 + rls_queries()):
        response = client.get(f"/clients/{record.pk}/amendments/")
    assert response.status_code == 200
    assert _text(response).count("(document: PHQ-9 results)") == count // 2


def test_the_amendment_page_has_a_fixed_query_count(
    org, clinician, make_chart_client, clinic_client, request_amendment, django_assert_max_num_queries
):
    record = make_chart_client(org, primary=clinician)
    amendment = request_amendment(record, clinician, document=_document(org, record, clinician))
    client = clinic_client(org, clinician)
    client.get("/")
    with django_assert_max_num_queries(11 + rls_queries()):  # 10, and the measures app's safety banner
        assert client.get(f"/clients/{record.pk}/amendments/{amendment.pk}/").status_code == 200
