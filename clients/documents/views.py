"""The chart's Documents tab: list, upload (with a progress bar), open or download, mark entered in error.

The tab itself belongs to the demographics section, so everyone who may open the chart sees it; the list shows
only documents filed in sections the person may see, and each file is served only after ``get_chart`` has checked
the document's own section. Other clients' or clinics' document ids are 404s, other sections 403s, both audited.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Value, When
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from audit.models import Outcome
from audit.services import record
from clients import access, policies, tabs
from clients.documents import services as documents
from clients.documents.forms import DocumentFilterForm, DocumentUploadForm, EnteredInErrorForm
from clients.documents.models import ClientDocument, DocumentStatus
from core import uploads
from core.authz import get_for_clinic_or_404, require
from core.forms import submit
from core.paging import page_of

TAB_PAGE_SIZE = 25


def _upload_sections(request, chart) -> frozenset[str]:
    return frozenset(
        section
        for section in sorted(policies.ALL_SECTIONS)
        if policies.can_upload_document(request.membership, chart.sections, section)
    )


def documents_tab(request, client, chart):
    """One paged list: current documents newest first, then those entered in error (one read a page). The
    audit event counts the rows shown, since only they were read."""
    filters = DocumentFilterForm(request.GET or None)
    category = filters.cleaned_data["category"] if filters.is_valid() else ""
    rows = documents.chart_documents(client, chart.sections, category)
    in_error_last = Case(When(status=DocumentStatus.CURRENT, then=Value(0)), default=Value(1))
    page = page_of(request, rows.order_by(in_error_last, "-uploaded_at", "-pk"), TAB_PAGE_SIZE)
    record(
        "document.listed",
        request=request,
        target=client,
        client_id=client.pk,
        detail={"sections": sorted(chart.sections), "category": category, "count": len(page)},
    )
    for row in page:
        row.shows_inline = uploads.shows_inline(row.content_type)
        row.can_mark_in_error = row.is_current and policies.can_mark_document_in_error(
            request.membership, chart.sections, row.section
        )
    context = {
        "page": page,
        "current": [row for row in page if row.is_current],
        "in_error": [row for row in page if not row.is_current],
        "filters": filters,
        "category": category,
        "can_upload": bool(_upload_sections(request, chart)),
    }
    return tabs.render_tab(request, client, chart, "documents", "clients/tab_documents.html", context)


@login_required
def document_upload(request, pk: int):
    client, chart = access.get_chart(request, pk, policies.DEMOGRAPHICS)
    allowed = _upload_sections(request, chart)
    require(request, bool(allowed), "clients.documents.upload", client)
    posted = request.method == "POST"
    form = DocumentUploadForm(
        request.POST if posted else None, request.FILES if posted else None, allowed_sections=allowed
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        document = documents.upload_document(
            client,
            actor=request.membership,
            checked=form.checked,
            title=data["title"],
            category=data["category"],
            section=data["section"],
            request=request,
        )
        note = ""
        if not policies.can_open_document(chart.sections, document.section):
            note = f" It is filed in the {document.section} section, so you won't be able to open it."
        messages.success(request, f"“{document.title}” added to the chart.{note}")
        target = reverse("clients:tab", args=[pk, "documents"])
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    if posted and "file" in form.errors:
        codes = [error.code for error in form.errors.as_data()["file"]]
        record(
            "document.upload_refused",
            request=request,
            target=client,
            client_id=client.pk,
            outcome=Outcome.DENIED,
            detail={"reasons": codes},
        )
    context = {"form": form, "max_bytes": uploads.max_upload_bytes()}
    return tabs.render_tab(request, client, chart, "documents", "clients/document_upload.html", context)


def _document_for(request, pk: int, document_pk: int, permission: str):
    """The document (404 + audit unless it is this client's, in this clinic) and the chart, checked for the
    document's own section (403 + audit)."""
    document = get_for_clinic_or_404(request, ClientDocument.objects.filter(client_id=pk), permission, document_pk)
    client, chart = access.get_chart(request, pk, document.section)
    return client, chart, document


def _serve(request, pk: int, document_pk: int, *, inline: bool):
    _client, _chart, document = _document_for(request, pk, document_pk, "clients.documents.view")
    response = uploads.serve_stored_file(
        request,
        document,
        filename=document.original_filename,
        inline=inline,
        missing="document.file_missing",
        noun="document",
        client_id=document.client_id,
    )
    documents.record_opened(document, request=request, inline=inline)
    return response


@login_required
def document_open(request, pk: int, document_pk: int):
    """Show a PDF or image in the browser (other types download)."""
    return _serve(request, pk, document_pk, inline=True)


@login_required
def document_download(request, pk: int, document_pk: int):
    return _serve(request, pk, document_pk, inline=False)


@login_required
def document_entered_in_error(request, pk: int, document_pk: int):
    client, chart, document = _document_for(request, pk, document_pk, "clients.documents.entered_in_error")
    allowed = policies.can_mark_document_in_error(request.membership, chart.sections, document.section)
    require(request, allowed, "clients.documents.entered_in_error", document)
    if document.status == DocumentStatus.ENTERED_IN_ERROR:
        messages.info(request, "That document is already marked entered in error.")
        return redirect("clients:tab", pk=pk, tab="documents")
    form = EnteredInErrorForm(request.POST or None, initial={"version": document.version})
    if submit(request, form, documents.mark_entered_in_error, document):
        return tabs.back_to_tab(
            request, pk, "documents", f"“{document.title}” marked entered in error. It stays on record."
        )
    context = {"form": form, "document": document}
    return tabs.render_tab(request, client, chart, "documents", "clients/document_error.html", context)
