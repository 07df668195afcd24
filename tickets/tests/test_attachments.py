"""Ticket attachments: screenshots and PDFs checked by content and size, stored privately, served only to those
who may see the ticket (clinic staff by the ticket policy, vendor staff for sent tickets), each download audited."""

from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from core import uploads
from core.tests.files import HTML_PAGE, pdf_bytes, png_bytes
from tenancy.context import tenant_context
from tickets import services
from tickets.models import Ticket, TicketAttachment, TicketUpdate


def _text(response) -> str:
    return unescape(response.content.decode())


def _png(name="screenshot.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def _pdf(name="error report.pdf"):
    return SimpleUploadedFile(name, pdf_bytes("Error 500 on reports"), content_type="application/pdf")


def _new(**extra) -> dict:
    data = {"title": "Reports page shows an error", "priority": "3", "assignee": "self", "description": ""}
    return data | extra


def _attach(ticket, actor, *files, body=""):
    checked = [uploads.check_upload(f) for f in files]
    with tenant_context(ticket.organization):
        return services.add_comment(ticket, actor=actor, body=body, attachments=checked)


def test_a_new_ticket_carries_screenshots_and_pdfs(org, clinician, clinic_client):
    client = clinic_client(org, clinician)
    response = client.post("/tickets/new/", _new(attachments=[_png(), _pdf()]))
    assert response.status_code == 302
    ticket = Ticket.all_tenants.get()
    files = list(TicketAttachment.all_tenants.order_by("pk"))
    assert [(f.filename, f.content_type) for f in files] == [
        ("screenshot.png", "image/png"),
        ("error report.pdf", "application/pdf"),
    ]
    assert all(f.update.kind == "created" and f.ticket == ticket for f in files)
    assert files[0].stored_name.startswith(f"tickets/{org.pk}/") and "screenshot" not in files[0].stored_name
    assert uploads.private_storage().exists(files[0].stored_name)
    created = AuditEvent.objects.get(action="ticket.created")
    assert created.detail["attachment_ids"] == [f.pk for f in files]  # ids, never file names
    page = _text(client.get(f"/tickets/{ticket.pk}/"))
    assert "screenshot.png" in page and f"/tickets/{ticket.pk}/attachments/{files[0].pk}/" in page


def test_a_comment_may_be_just_a_file(org, clinician, make_ticket, clinic_client):
    ticket = make_ticket(clinician)
    response = clinic_client(org, clinician).post(f"/tickets/{ticket.pk}/comment/", {"attachments": [_pdf()]})
    assert response.status_code == 302
    comment = TicketUpdate.all_tenants.get(kind="comment")
    assert comment.body == "" and TicketAttachment.all_tenants.get(update=comment).filename == "error report.pdf"


def test_wrong_type_is_refused_with_its_name_and_nothing_is_saved(org, clinician, make_ticket, clinic_client):
    ticket = make_ticket(clinician)
    page_file = SimpleUploadedFile("screenshot.png", HTML_PAGE, content_type="image/png")
    client = clinic_client(org, clinician)
    response = client.post(f"/tickets/{ticket.pk}/comment/", {"body": "See file", "attachments": [page_file]})
    text = _text(response)
    assert response.status_code == 200
    assert "screenshot.png: This file can't be added" in text and "Allowed types: PDF, PNG image" in text
    assert not TicketUpdate.all_tenants.filter(kind="comment").exists()
    refused = client.post("/tickets/new/", _new(attachments=[_png(), SimpleUploadedFile("a.exe", HTML_PAGE)]))
    assert refused.status_code == 200 and "a.exe: This file can't be added" in _text(refused)
    assert Ticket.all_tenants.count() == 1 and not TicketAttachment.all_tenants.exists()
    refusals = AuditEvent.objects.filter(action="ticket.attachment_refused", outcome="denied")
    assert [e.detail for e in refusals.order_by("pk")] == [{"reasons": ["file_type"]}] * 2
    assert refusals.filter(object_id=str(ticket.pk)).count() == 1


def test_too_large_and_too_many_files_are_refused(org, clinician, make_ticket, clinic_client, settings):
    settings.HEARTH_TICKET_ATTACHMENT_MAX_BYTES = 1000
    settings.HEARTH_TICKET_ATTACHMENTS_PER_FORM = 2
    ticket = make_ticket(clinician)
    client = clinic_client(org, clinician)
    big = SimpleUploadedFile("scan.pdf", pdf_bytes(padding=2000), content_type="application/pdf")
    response = client.post(f"/tickets/{ticket.pk}/comment/", {"body": "x", "attachments": [big]})
    assert "scan.pdf: The file is 2.6\xa0KB; files can be at most 1000\xa0bytes." in _text(response)
    many = client.post(f"/tickets/{ticket.pk}/comment/", {"body": "x", "attachments": [_png(), _png(), _png()]})
    assert "Attach at most 2 files at a time." in _text(many)
    assert not TicketAttachment.all_tenants.exists()
    assert not TicketUpdate.all_tenants.filter(kind="comment").exists()


def test_a_failed_save_leaves_no_file_behind(org, clinician, make_ticket, monkeypatch):
    ticket = make_ticket(clinician)
    stored = []
    real_store = uploads.store
    monkeypatch.setattr(
        uploads, "store", lambda checked, folder: stored.append(real_store(checked, folder=folder)) or stored[-1]
    )

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_attach", broken)
    with pytest.raises(RuntimeError):
        _attach(ticket, clinician, _png(), body="with a file")
    assert stored and not uploads.private_storage().exists(stored[0])
    assert not TicketUpdate.all_tenants.filter(kind="comment").exists()


def test_downloads_are_served_safely_to_those_who_see_the_ticket_and_audited(
    org, clinician, admin, make_ticket, clinic_client
):
    ticket = make_ticket(clinician, assignee=admin)
    _attach(ticket, clinician, _png())
    attachment = TicketAttachment.all_tenants.get()
    response = clinic_client(org, admin).get(f"/tickets/{ticket.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"] and "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="ticket.attachment_downloaded")
    assert event.actor == admin.user and event.object_id == str(attachment.pk)
    assert event.detail == {"ticket_id": ticket.pk}


def test_staff_who_may_not_see_the_ticket_and_other_clinics_are_refused(
    org, clinician, admin, front_desk, outsider, make_ticket, clinic_client, other_org
):
    ticket = make_ticket(clinician, assignee=admin)
    other_ticket = make_ticket(admin)
    _attach(ticket, clinician, _png())
    attachment = TicketAttachment.all_tenants.get()
    url = f"/tickets/{ticket.pk}/attachments/{attachment.pk}/"
    assert clinic_client(org, front_desk).get(url).status_code == 403
    assert AuditEvent.objects.get(action="access.denied").detail["permission"] == "tickets.attachment"
    assert clinic_client(other_org, outsider).get(url).status_code == 404
    assert AuditEvent.objects.filter(action="access.not_found", organization=other_org).exists()
    # An attachment id under another ticket's number: not found, audited.
    wrong = clinic_client(org, admin).get(f"/tickets/{other_ticket.pk}/attachments/{attachment.pk}/")
    assert wrong.status_code == 404
    assert AuditEvent.objects.filter(action="access.not_found", object_type="tickets.ticketattachment").exists()
    assert not AuditEvent.objects.filter(action="ticket.attachment_downloaded").exists()


def test_clinic_attachment_page_query_count(org, clinician, make_ticket, clinic_client, django_assert_max_num_queries):
    ticket = make_ticket(clinician)
    for _ in range(5):
        _attach(ticket, clinician, _png(), _pdf())
    client = clinic_client(org, clinician)
    client.get(f"/tickets/{ticket.pk}/")
    from conftest import rls_queries

    with django_assert_max_num_queries(19 + rls_queries()):
        response = client.get(f"/tickets/{ticket.pk}/")
    assert _text(response).count("error report.pdf") == 5
