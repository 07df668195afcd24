"""Filing documents in a client's chart and marking them entered in error: one transaction each, audited.

The file is written to the private storage first, then the row and its audit event in one transaction; if that
transaction fails the file is removed again, so a document is either wholly there or not at all. Audit details
name ids, categories and sections, never titles or file names (they can carry PHI).
"""

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone

from accounts.people.models import Membership
from audit.services import record
from clients.amendments.models import AmendmentRequest, AmendmentStatus
from clients.documents.models import CATEGORY_SECTIONS, ClientDocument, DocumentStatus
from clients.events import record_change
from clients.records.models import Client
from core import uploads
from core.errors import ConflictError
from core.versioning import lock_version, save_version


def section_for(category: str, chosen: str = "") -> str:
    """The section a document is filed in: the uploader's choice, or the usual one for its category."""
    return chosen or CATEGORY_SECTIONS[category]


def upload_document(
    client: Client,
    *,
    actor: Membership,
    checked: uploads.CheckedUpload,
    title: str,
    category: str,
    section: str,
    request: HttpRequest | None = None,
) -> ClientDocument:
    """Store a checked upload privately and file it in the chart (``document.uploaded``)."""
    stored_name = uploads.store(checked, folder=f"documents/{client.organization_id}")
    try:
        with transaction.atomic():
            document = ClientDocument.objects.create(
                client=client,
                title=title,
                category=category,
                section=section,
                uploaded_by=actor,
                original_filename=checked.display_name,
                stored_name=stored_name,
                size=checked.size,
                content_type=checked.kind.content_type,
                sha256=checked.sha256,
            )
            record_change(
                "document.uploaded",
                document,
                actor=actor,
                request=request,
                category=category,
                section=section,
                bytes=checked.size,
            )
    except BaseException:
        uploads.discard(stored_name)
        raise
    return document


@transaction.atomic
def mark_entered_in_error(
    document: ClientDocument, *, actor: Membership, reason: str, expected_version: int, request=None
) -> ClientDocument:
    """Take a document out of the current list, keeping it (and its file) for the record."""
    current = lock_version(document, expected_version=expected_version, noun="document")
    if not current.is_current:  # already marked in error: the page was stale all the same
        raise ConflictError("document")
    changes = {"error_reason": reason, "marked_in_error_by": actor, "marked_in_error_at": timezone.now()}
    save_version(current, {"status": DocumentStatus.ENTERED_IN_ERROR, **changes})
    record_change("document.entered_in_error", current, actor=actor, request=request, section=current.section)
    return current


def chart_documents(client: Client, sections: frozenset[str], category: str = "") -> QuerySet:
    """The client's documents in the sections the person may see, newest first.

    ``amended_by`` is the latest accepted amendment of each document (its correction is shown beside it).
    """
    accepted = AmendmentRequest.objects.filter(document=OuterRef("pk"), status=AmendmentStatus.ACCEPTED)
    documents = (
        client.documents.filter(section__in=sections)
        .select_related("uploaded_by__user", "marked_in_error_by__user")
        .annotate(amended_by=Subquery(accepted.order_by("-decided_on", "-pk").values("pk")[:1]))
        .order_by("-uploaded_at", "-pk")
    )
    return documents.filter(category=category) if category else documents


def record_opened(document: ClientDocument, *, request: HttpRequest, inline: bool) -> None:
    record(
        "document.viewed" if inline else "document.downloaded",
        request=request,
        target=document,
        client_id=document.client_id,
        detail={"section": document.section, "category": document.category},
    )
