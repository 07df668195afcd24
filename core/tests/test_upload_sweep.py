"""``manage.py sweep_private_files``: orphaned uploads (no row names them) are deleted once past the grace period;
young orphans and every referenced file are kept; the sweep is audited in the system chain with counts only."""

import datetime
import os
import time

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.chain import chain_key_for
from audit.models import AuditEvent
from clients.documents import services as documents
from clients.documents.models import ClientDocument
from clients.records.models import Client
from core import upload_sweep, uploads
from core.tests.files import pdf_bytes, png_bytes
from tenancy.context import tenant_context
from tickets import services as tickets
from tickets.models import TicketAttachment

DAY = 24 * 3600


@pytest.fixture
def private_dir(settings, tmp_path):
    """A private storage of its own on disk (as in production), so file ages can be set with ``os.utime``."""
    settings.STORAGES = settings.STORAGES | {
        "private": {"BACKEND": "core.uploads.PrivateFileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


def _age(directory, name: str, hours: float) -> None:
    stamp = time.time() - hours * 3600
    os.utime(directory / name, (stamp, stamp))


def _checked(content=None, name="f.pdf"):
    return uploads.check_upload(SimpleUploadedFile(name, content or pdf_bytes("Intake")))


def _document(record: Client, member) -> ClientDocument:
    with tenant_context(record.organization):
        return documents.upload_document(
            record, actor=member, checked=_checked(), title="Intake", category="intake", section="demographics"
        )


def _attachment(member, django_capture_on_commit_callbacks) -> TicketAttachment:
    with tenant_context(member.organization), django_capture_on_commit_callbacks(execute=True):
        ticket = tickets.create_ticket(
            actor=member,
            title="Printer jams",
            assignee=member,
            attachments=[_checked(png_bytes(), "screenshot.png")],
        )
    return TicketAttachment.all_tenants.get(ticket=ticket)


def _orphan(organization_id: int, folder="documents") -> str:
    """A file stored the way a service stores it, with no row (as after a caller's rollback)."""
    return uploads.store(_checked(), folder=f"{folder}/{organization_id}")


def _sweep_event() -> AuditEvent:
    return AuditEvent.objects.get(action="uploads.orphans_swept")


def test_old_orphans_go_young_orphans_and_referenced_files_stay(
    private_dir, org, other_org, clinician, make_member, make_chart_client, django_capture_on_commit_callbacks
):
    document = _document(make_chart_client(org, primary=clinician), clinician)
    other_clinician = make_member(other_org, "casey", "clinician")
    attachment = _attachment(other_clinician, django_capture_on_commit_callbacks)
    old_document_orphan = _orphan(org.pk)
    old_ticket_orphan = _orphan(other_org.pk, folder="tickets")
    young_orphan = _orphan(org.pk)
    for name in (document.stored_name, attachment.stored_name, old_document_orphan, old_ticket_orphan):
        _age(private_dir, name, hours=25)  # referenced files are kept however old they are
    _age(private_dir, young_orphan, hours=23)

    call_command("sweep_private_files")

    storage = uploads.private_storage()
    assert not storage.exists(old_document_orphan) and not storage.exists(old_ticket_orphan)
    assert storage.exists(young_orphan)
    assert storage.exists(document.stored_name) and storage.exists(attachment.stored_name)
    event = _sweep_event()
    assert event.organization_id is None and event.chain_key == chain_key_for(None)  # the system chain
    assert event.detail == {
        "files": 5,
        "referenced": 2,
        "orphans": 3,
        "deleted": 2,
        "too_young": 1,
        "dry_run": False,
        "older_than_hours": 24.0,
    }


def test_the_grace_period_is_configurable_but_never_zero(private_dir, org):
    orphan = _orphan(org.pk)
    _age(private_dir, orphan, hours=3)
    call_command("sweep_private_files", "--older-than-hours", "4")
    assert uploads.private_storage().exists(orphan)
    call_command("sweep_private_files", "--older-than-hours", "2")
    assert not uploads.private_storage().exists(orphan)
    with pytest.raises(CommandError, match="more than 0"):
        call_command("sweep_private_files", "--older-than-hours", "0")


def test_a_dry_run_deletes_nothing(private_dir, org, capsys):
    orphan = _orphan(org.pk)
    _age(private_dir, orphan, hours=48)
    call_command("sweep_private_files", "--dry-run")
    assert uploads.private_storage().exists(orphan)
    assert "Would delete 1 of 1 orphaned file(s) among 1" in capsys.readouterr().out
    assert _sweep_event().detail | {"dry_run": True, "deleted": 1} == _sweep_event().detail


def test_an_upload_rolled_back_by_its_caller_leaves_an_orphan_the_sweep_removes(
    private_dir, org, clinician, make_chart_client
):
    """The real gap: the service returned (its own transaction committed to a savepoint), then the caller's outer
    transaction failed. The row is gone, the file stays; only the sweep removes it."""
    record = make_chart_client(org, primary=clinician)
    storage = uploads.private_storage()
    with pytest.raises(RuntimeError), transaction.atomic():
        document = _document(record, clinician)
        assert storage.exists(document.stored_name)
        raise RuntimeError("the caller's next step failed")
    assert not ClientDocument.all_tenants.filter(stored_name=document.stored_name).exists()
    assert storage.exists(document.stored_name), "the orphan this sweep exists for"

    call_command("sweep_private_files")
    assert storage.exists(document.stored_name), "still inside the grace period"
    _age(private_dir, document.stored_name, hours=25)
    call_command("sweep_private_files")
    assert not storage.exists(document.stored_name)


def test_works_on_any_storage_and_reads_the_rows_once_per_model(settings, org, clinician, make_chart_client):
    """Only the Storage API is used (here the in-memory storage tests use), and the queries do not grow with the
    number of files: one per model for the known names, then the audit event."""
    settings.STORAGES = settings.STORAGES | {"private": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    document = _document(make_chart_client(org, primary=clinician), clinician)
    later = timezone.now() + datetime.timedelta(hours=25)
    upload_sweep.sweep(now=later)  # starts the system audit chain, so both sweeps below write to it alike
    counts = []
    for how_many in (1, 30):
        orphans = [_orphan(org.pk) for _ in range(how_many)]
        with CaptureQueriesContext(connection) as queries:
            result = upload_sweep.sweep(now=later)
        counts.append(len(queries))
        assert result.deleted == how_many and not any(uploads.private_storage().exists(name) for name in orphans)
        for model in (ClientDocument, TicketAttachment):
            assert sum(f'FROM "{model._meta.db_table}"' in query["sql"] for query in queries.captured_queries) == 1
    assert counts[0] == counts[1]
    assert uploads.private_storage().exists(document.stored_name)


def test_every_model_that_names_a_private_file_is_swept_with_its_rows():
    """A new model storing uploads must join ``PRIVATE_FILE_REFERENCES``, or the sweep would delete its files."""
    storing = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.name == "stored_name"
    }
    assert storing == {(label, field) for _folder, label, field in upload_sweep.PRIVATE_FILE_REFERENCES}
