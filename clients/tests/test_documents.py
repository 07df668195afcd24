"""Chart documents: upload checks, who may open what, 404/403 with audit, entered in error, query budgets."""

import hashlib
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from clients.documents.models import ClientDocument
from conftest import rls_queries
from core import uploads
from core.tests.files import WINDOWS_PROGRAM, pdf_bytes, png_bytes
from tenancy.context import tenant_context


def _upload(client, record, content=None, name="Intake packet.pdf", category="intake", section="", title="", **extra):
    data = {
        "file": SimpleUploadedFile(name, pdf_bytes() if content is None else content, "application/octet-stream"),
        "category": category,
        "section": section,
        "title": title,
    }
    return client.post(f"/clients/{record.pk}/documents/new/", data, **extra)


def _text(response) -> str:
    return unescape(response.content.decode())


def _documents(org):
    with tenant_context(org):
        return list(ClientDocument.objects.order_by("pk"))


@pytest.fixture
def file_document(org):
    """``file_document(record, member, category=…, section=…)`` files a PDF through the service."""
    from clients.documents import services as documents

    def make(record, member, category="intake", section="", title="Doc", content=None):
        with tenant_context(org):
            checked = uploads.check_upload(SimpleUploadedFile("f.pdf", content or pdf_bytes(title)))
            return documents.upload_document(
                record,
                actor=member,
                checked=checked,
                title=title,
                category=category,
                section=documents.section_for(category, section),
            )

    return make


def test_a_clinician_uploads_a_pdf_then_opens_and_downloads_it(org, clinician, make_chart_client, clinic_client):
    record = make_chart_client(org, primary=clinician)
    client = clinic_client(org, clinician)
    content = pdf_bytes("Referral letter")
    response = _upload(client, record, content, name="Referral.pdf", category="outside_records", title="Referral")
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{record.pk}/documents/"
    [document] = _documents(org)
    assert (document.title, document.category, document.section) == ("Referral", "outside_records", "clinical")
    assert (document.content_type, document.size, document.original_filename) == (
        "application/pdf",
        len(content),
        "Referral.pdf",
    )
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.uploaded_by == clinician and document.status == "current"
    assert "Referral" not in document.stored_name
    uploaded = AuditEvent.objects.get(action="document.uploaded")
    assert uploaded.client_id == record.pk and uploaded.detail == {
        "category": "outside_records",
        "section": "clinical",
        "bytes": len(content),
    }

    listing = _text(client.get(f"/clients/{record.pk}/documents/"))
    assert "Referral" in listing and "Outside records" in listing

    opened = client.get(f"/clients/{record.pk}/documents/{document.pk}/open/")
    assert opened.status_code == 200
    assert opened["Content-Type"] == "application/pdf"
    assert opened["Content-Disposition"].startswith("inline;")
    assert opened["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in opened["Content-Security-Policy"]
    assert opened["Cache-Control"] == "no-store, private"
    assert b"".join(opened.streaming_content) == content
    downloaded = client.get(f"/clients/{record.pk}/documents/{document.pk}/download/")
    assert downloaded["Content-Disposition"] == 'attachment; filename="Referral.pdf"'
    assert b"".join(downloaded.streaming_content) == content
    reads = AuditEvent.objects.filter(action__in=["document.viewed", "document.downloaded"]).order_by("pk")
    assert [(e.action, e.object_id, e.client_id) for e in reads] == [
        ("document.viewed", str(document.pk), record.pk),
        ("document.downloaded", str(document.pk), record.pk),
    ]


def test_a_png_insurance_card_is_filed_in_the_insurance_section(org, front_desk, make_chart_client, clinic_client):
    record = make_chart_client(org)
    client = clinic_client(org, front_desk)
    response = _upload(client, record, png_bytes(), name="card.jpg", category="insurance_card")
    assert response.status_code == 302
    [document] = _documents(org)
    assert (document.section, document.content_type, document.title) == ("insurance", "image/png", "card.png")
    opened = client.get(f"/clients/{record.pk}/documents/{document.pk}/open/")
    assert opened["Content-Type"] == "image/png" and opened["Content-Disposition"].startswith("inline;")


def test_a_renamed_program_is_refused_clearly_and_nothing_is_stored(org, front_desk, make_chart_client, clinic_client):
    record = make_chart_client(org)
    storage = uploads.private_storage()
    folder = f"documents/{org.pk}"
    before = len(storage.listdir(folder)[1]) if storage.exists(folder) else 0
    response = _upload(clinic_client(org, front_desk), record, WINDOWS_PROGRAM, name="intake.pdf")
    assert response.status_code == 200
    text = _text(response)
    assert "This file can't be added: its content is “Windows Executable”" in text
    assert "Allowed types: PDF, PNG image, JPEG image, WebP image or HEIC photo." in text
    assert _documents(org) == []
    assert (len(storage.listdir(folder)[1]) if storage.exists(folder) else 0) == before
    refused = AuditEvent.objects.get(action="document.upload_refused")
    assert refused.outcome == "denied" and refused.detail == {"reasons": ["file_type"]}


def test_missing_category_and_file_get_specific_messages(org, front_desk, make_chart_client, clinic_client):
    record = make_chart_client(org)
    response = clinic_client(org, front_desk).post(f"/clients/{record.pk}/documents/new/", {"title": "x"})
    text = _text(response)
    assert "Choose a file to upload." in text and "Choose what kind of document this is." in text


def test_a_file_over_the_limit_is_a_form_error_and_a_huge_request_a_413(
    org, front_desk, make_chart_client, clinic_client, settings
):
    settings.HEARTH_UPLOAD_MAX_BYTES = 4000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4000
    record = make_chart_client(org)
    client = clinic_client(org, front_desk)
    over_the_file_limit = _upload(client, record, pdf_bytes(padding=4500))
    assert over_the_file_limit.status_code == 200
    assert "files can be at most 3.9\xa0KB" in _text(over_the_file_limit)
    huge = _upload(client, record, pdf_bytes(padding=20_000))
    assert huge.status_code == 413
    assert "That upload is too large" in _text(huge) and "Nothing was saved" in _text(huge)
    assert _documents(org) == []
    assert AuditEvent.objects.filter(action="security.upload_too_large", outcome="denied").count() == 1
    assert _upload(client, record, pdf_bytes()).status_code == 302


def test_an_htmx_upload_is_answered_with_a_client_redirect(org, front_desk, make_chart_client, clinic_client):
    record = make_chart_client(org)
    response = _upload(clinic_client(org, front_desk), record, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/clients/{record.pk}/documents/"


def test_stored_files_are_outside_the_web_root(org, front_desk, make_chart_client, clinic_client, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "core.uploads.PrivateFileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    record = make_chart_client(org)
    client = clinic_client(org, front_desk)
    content = pdf_bytes("on disk")
    assert _upload(client, record, content).status_code == 302
    [document] = _documents(org)
    assert (tmp_path / document.stored_name).read_bytes() == content
    for path in (
        f"/static/{document.stored_name}",
        f"/static/private/{document.stored_name}",
        f"/static/../var/private/{document.stored_name}",
        f"/var/private/{document.stored_name}",
        f"/{document.stored_name}",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert content not in response.content
    assert client.get("/static/hearth/hearth.css").status_code == 200, "static files themselves are served"
    opened = client.get(f"/clients/{record.pk}/documents/{document.pk}/download/")
    assert b"".join(opened.streaming_content) == content


# --- Who may see what ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "on_caseload", "for_clinical", "for_insurance", "for_billing"),
    [
        ("clinician", True, 200, 200, 200),
        ("clinician", False, 403, 403, 403),
        ("supervisor", True, 200, 200, 200),
        ("front_desk", False, 403, 200, 403),
        ("billing", False, 403, 200, 200),
        ("admin", False, 403, 200, 200),
        ("champion", False, 403, 403, 403),
    ],
)
def test_documents_open_only_for_their_section(
    role,
    on_caseload,
    for_clinical,
    for_insurance,
    for_billing,
    request,
    org,
    make_member,
    make_chart_client,
    clinic_client,
    file_document,
):
    member = request.getfixturevalue(role)
    primary = member if on_caseload else make_member(org, "pat", "clinician")
    record = make_chart_client(org, primary=primary)
    docs = {
        "clinical": file_document(record, primary, "assessment"),
        "insurance": file_document(record, primary, "insurance_card"),
        "billing": file_document(record, primary, "correspondence", section="billing"),
    }
    client = clinic_client(org, member)
    expected = {"clinical": for_clinical, "insurance": for_insurance, "billing": for_billing}
    for section, document in docs.items():
        for verb in ("open", "download"):
            got = client.get(f"/clients/{record.pk}/documents/{document.pk}/{verb}/").status_code
            assert got == expected[section], (section, verb)
    denied = AuditEvent.objects.filter(action="access.denied").count()
    assert denied == 2 * sum(1 for status in expected.values() if status == 403)


def test_the_list_shows_only_documents_in_the_persons_sections(
    org, front_desk, clinician, make_chart_client, clinic_client, file_document
):
    record = make_chart_client(org, primary=clinician)
    file_document(record, clinician, "assessment", title="PHQ-9 results")
    file_document(record, clinician, "insurance_card", title="Blue Valley card")
    desk = _text(clinic_client(org, front_desk).get(f"/clients/{record.pk}/documents/"))
    assert "Blue Valley card" in desk and "PHQ-9 results" not in desk
    listed = AuditEvent.objects.get(action="document.listed")
    assert listed.detail == {"sections": ["consents", "demographics", "insurance"], "category": "", "count": 1}
    own = _text(clinic_client(org, clinician).get(f"/clients/{record.pk}/documents/"))
    assert "Blue Valley card" in own and "PHQ-9 results" in own


def test_the_category_filter(org, clinician, make_chart_client, clinic_client, file_document):
    record = make_chart_client(org, primary=clinician)
    file_document(record, clinician, "assessment", title="PHQ-9 results")
    file_document(record, clinician, "insurance_card", title="Blue Valley card")
    client = clinic_client(org, clinician)
    text = _text(client.get(f"/clients/{record.pk}/documents/?category=insurance_card"))
    assert "Blue Valley card" in text and "PHQ-9 results" not in text
    assert "No documents in this category." in _text(client.get(f"/clients/{record.pk}/documents/?category=roi"))
    bad = _text(client.get(f"/clients/{record.pk}/documents/?category=nonsense"))
    assert "Select a valid choice" in bad and "PHQ-9 results" in bad


def test_another_clients_or_clinics_document_is_a_404_and_audited(
    org, other_org, clinician, make_member, make_chart_client, clinic_client, file_document
):
    mine = make_chart_client(org, primary=clinician)
    theirs = make_chart_client(org, first="Other", primary=clinician)
    document = file_document(theirs, clinician, "intake")
    client = clinic_client(org, clinician)
    assert client.get(f"/clients/{mine.pk}/documents/{document.pk}/open/").status_code == 404
    foreign_clinician = make_member(other_org, "olga", "clinician")
    foreign_client = make_chart_client(other_org, primary=foreign_clinician)
    from clients.documents import services as documents

    with tenant_context(other_org):
        foreign = documents.upload_document(
            foreign_client,
            actor=foreign_clinician,
            checked=uploads.check_upload(SimpleUploadedFile("f.pdf", pdf_bytes())),
            title="Theirs",
            category="intake",
            section="demographics",
        )
    assert client.get(f"/clients/{foreign_client.pk}/documents/{foreign.pk}/download/").status_code == 404
    assert client.get(f"/clients/{mine.pk}/documents/{foreign.pk}/download/").status_code == 404
    misses = AuditEvent.objects.filter(action="access.not_found", organization=org).order_by("pk")
    assert [e.object_id for e in misses] == [str(document.pk), str(foreign.pk), str(foreign.pk)]
    assert {e.object_type for e in misses} == {"clients.clientdocument"}


def test_out_of_section_is_a_403_and_audited(
    org, front_desk, clinician, make_chart_client, clinic_client, file_document
):
    record = make_chart_client(org, primary=clinician)
    document = file_document(record, clinician, "assessment")
    assert clinic_client(org, front_desk).get(f"/clients/{record.pk}/documents/{document.pk}/open/").status_code == 403
    denied = AuditEvent.objects.get(action="access.denied")
    assert denied.detail["permission"] == "clients.view.clinical"
    assert denied.object_id == str(record.pk)
    assert not AuditEvent.objects.filter(action__startswith="document.viewed").exists()


def test_front_desk_may_file_outside_records_for_clinicians_but_not_open_them(
    org, front_desk, clinician, make_chart_client, clinic_client
):
    record = make_chart_client(org, primary=clinician)
    client = clinic_client(org, front_desk)
    form = _text(client.get(f"/clients/{record.pk}/documents/new/"))
    assert '<option value="clinical">Clinical</option>' in form
    response = _upload(client, record, category="outside_records", title="Hospital discharge summary")
    assert response.status_code == 302
    follow = _text(client.get(response["Location"]))
    assert "filed in the clinical section, so you won't be able to open it" in follow
    assert follow.count("Hospital discharge summary") == 1, "in the message only, not in the list"
    [document] = _documents(org)
    assert client.get(f"/clients/{record.pk}/documents/{document.pk}/open/").status_code == 403
    assert clinic_client(org, clinician).get(f"/clients/{record.pk}/documents/{document.pk}/open/").status_code == 200


def test_billing_cannot_file_into_the_clinical_section(org, billing, make_chart_client, clinic_client):
    record = make_chart_client(org)
    client = clinic_client(org, billing)
    response = _upload(client, record, category="assessment")
    assert response.status_code == 200
    assert "You can't file assessment in the clinical section" in _text(response)
    assert _upload(client, record, category="assessment", section="clinical").status_code == 200
    assert _documents(org) == []
    assert _upload(client, record, category="correspondence", section="billing").status_code == 302


def test_people_who_cannot_open_the_chart_cannot_upload(
    org, clinician, champion, make_member, make_chart_client, clinic_client
):
    other = make_member(org, "otto", "clinician")
    record = make_chart_client(org, primary=clinician)
    assert _upload(clinic_client(org, other), record).status_code == 403
    assert _upload(clinic_client(org, champion), record).status_code == 403
    assert _documents(org) == []
    response = clinic_client(org).get(f"/clients/{record.pk}/documents/new/")
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- Entered in error ----------------------------------------------------------------------------------------


def test_a_document_marked_entered_in_error_is_kept_with_its_reason(
    org, clinician, make_chart_client, clinic_client, file_document
):
    record = make_chart_client(org, primary=clinician)
    document = file_document(record, clinician, "assessment", title="Wrong client's scan")
    client = clinic_client(org, clinician)
    url = f"/clients/{record.pk}/documents/{document.pk}/entered-in-error/"
    assert "Mark “Wrong client's scan” entered in error" in _text(client.get(url))
    assert "Say why" in _text(client.post(url, {"version": 1, "reason": ""}))
    response = client.post(url, {"version": 1, "reason": "Scanned into the wrong chart"})
    assert response.status_code == 302
    [kept] = _documents(org)
    assert (kept.status, kept.error_reason, kept.marked_in_error_by, kept.version) == (
        "entered_in_error",
        "Scanned into the wrong chart",
        clinician,
        2,
    )
    listing = _text(client.get(f"/clients/{record.pk}/documents/"))
    assert "Entered in error" in listing and "<s>Wrong client's scan</s>" in listing
    assert "No documents in this chart yet." in listing
    assert client.get(f"/clients/{record.pk}/documents/{document.pk}/download/").status_code == 200
    event = AuditEvent.objects.get(action="document.entered_in_error")
    assert event.object_id == str(document.pk) and event.detail == {"section": "clinical"}
    assert client.get(url).status_code == 302, "already marked: back to the list"


def test_a_stale_entered_in_error_form_is_refused(org, clinician, make_chart_client, clinic_client, file_document):
    record = make_chart_client(org, primary=clinician)
    document = file_document(record, clinician, "intake")
    client = clinic_client(org, clinician)
    url = f"/clients/{record.pk}/documents/{document.pk}/entered-in-error/"
    with tenant_context(org):
        ClientDocument.objects.filter(pk=document.pk).update(version=5)
    response = client.post(url, {"version": 1, "reason": "Duplicate scan"})
    assert "Someone else changed this document" in _text(response)
    assert _documents(org)[0].status == "current"


def test_front_desk_cannot_mark_a_clinical_document(
    org, front_desk, clinician, make_chart_client, clinic_client, file_document
):
    record = make_chart_client(org, primary=clinician)
    document = file_document(record, clinician, "assessment")
    url = f"/clients/{record.pk}/documents/{document.pk}/entered-in-error/"
    assert clinic_client(org, front_desk).post(url, {"version": 1, "reason": "Not ours"}).status_code == 403
    assert _documents(org)[0].status == "current"


# --- Query budget --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 12])
def test_the_documents_tab_has_a_fixed_query_count(
    count, org, clinician, make_chart_client, clinic_client, file_document, django_assert_max_num_queries
):
    from clients.amendments import services as amendments

    record = make_chart_client(org, primary=clinician)
    for n in range(count):
        document = file_document(record, clinician, ["intake", "assessment", "insurance_card"][n % 3], title=f"D{n}")
        if n % 2:
            with tenant_context(org):
                amendment = amendments.record_request(
                    record,
                    actor=clinician,
                    data={
                        "section": "clinical",
                        "record_description": "scan",
                        "document": document,
                        "requested_change": "fix",
                        "received_on": document.uploaded_at.date(),
                    },
                    today=document.uploaded_at.date(),
                )
                amendments.accept(
                    amendment, actor=clinician, correction="ok", today=amendment.received_on, expected_version=1
                )
    client = clinic_client(org, clinician)
    client.get("/")
    with django_assert_max_num_queries(11 + rls_queries()):  # two audit events, one INSERT each; the safety banner
        response = client.get(f"/clients/{record.pk}/documents/")
    assert response.status_code == 200
    assert _text(response).count("Amended") == count // 2
