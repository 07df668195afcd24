"""The administrators' audit report: filter, sort and page the clinic's events, and export them as CSV."""

import csv
from collections.abc import AsyncIterator, Iterator
from itertools import islice
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from audit.services import record
from core.authz import require
from core.clinic_time import clinic_now, clinic_zone
from core.paging import page_of
from reports import policies
from reports.audit_log.forms import AuditFilterForm
from reports.audit_log.selectors import audit_events, client_numbers
from tenancy.context import tenant_context

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
CSV_HEADER = (
    "time",
    "user",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "client_number",
    "ip_address",
    "user_agent",
    "sequence",
)
CSV_FIELDS = (
    "occurred_at",
    "actor_label",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "client_id",
    "ip_address",
    "user_agent",
    "link__sequence",  # empty for the few seconds before the sealer links an event
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _filter_query(request) -> str:
    """The filters of the query string without the page, for pager and export links: only the form's own fields,
    each cut to a length no real filter needs, so a hostile address cannot make a link too long to follow."""
    fields = AuditFilterForm.base_fields
    return urlencode([(key, value[:100]) for key, value in request.GET.items() if key in fields and value])


@login_required
def report(request):
    require(request, policies.can_view_audit_report(request.membership), "audit.view_report")
    form = AuditFilterForm(request.GET, organization=request.organization)
    page, events = None, []
    if form.is_valid():
        page = page_of(request, audit_events(request.organization, form.cleaned_data), PAGE_SIZE)
        events = list(page)
        numbers = client_numbers(e.client_id for e in events)
        for event in events:
            event.client_number = numbers.get(event.client_id)
    detail = form.audit_detail()
    if page is not None:
        detail["page"] = page.number
    record("audit.viewed", request=request, detail=detail)
    context = {"form": form, "page": page, "events": events, "query": _filter_query(request)}
    return render(request, "audit/report.html", context)


@login_required
def export_csv(request):
    """Stream the filtered events as CSV; rows are read in chunks, so the export's size does not matter."""
    require(request, policies.can_view_audit_report(request.membership), "audit.export_report")
    organization = request.organization
    form = AuditFilterForm(request.GET, organization=organization)
    if not form.is_valid():
        messages.error(request, "Correct the filters below before exporting.")
        return redirect(f"{reverse('audit:report')}?{_filter_query(request)}")
    record("audit.exported", request=request, detail=form.audit_detail())
    chunks = _csv_chunks(organization, audit_events(organization, form.cleaned_data))
    content = _async_chunks(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    stamp = clinic_now(organization).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{organization.slug}-{stamp}.csv"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    """Spreadsheets run cells that start like a formula; user agents and labels come from outside."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _csv_chunks(organization, events: QuerySet) -> Iterator[str]:
    """CSV text, one chunk per ``EXPORT_CHUNK`` events, with one client-number query per chunk.

    Runs after the view has returned (and left the clinic's context), so each chunk re-enters it; no context
    spans a ``yield``, because under ASGI every chunk may be produced in a fresh copy of the context.
    """
    writer = csv.writer(_Echo())
    zone = clinic_zone(organization)
    yield writer.writerow(CSV_HEADER)
    rows = events.values_list(*CSV_FIELDS).iterator(chunk_size=EXPORT_CHUNK)
    while True:
        with tenant_context(organization):
            batch = list(islice(rows, EXPORT_CHUNK))
            numbers = client_numbers(row[6] for row in batch)
        if not batch:
            return
        yield "".join(writer.writerow(_csv_row(row, numbers, zone)) for row in batch)


def _csv_row(row: tuple, numbers: dict[int, int], zone: ZoneInfo) -> list:
    occurred_at, actor, action, outcome, object_type, object_id, client_id, ip_address, user_agent, sequence = row
    return [
        occurred_at.astimezone(zone).isoformat(),
        *map(_cell, (actor, action, outcome, object_type, object_id)),
        numbers.get(client_id, ""),
        _cell(ip_address),
        _cell(user_agent),
        sequence,
    ]


async def _async_chunks(chunks: Iterator[str]) -> AsyncIterator[str]:
    """Serve the same chunks under ASGI without first reading them all into memory (what Django does with a
    synchronous iterator there). ``thread_sensitive`` keeps the database cursor on one thread."""
    next_chunk = sync_to_async(next, thread_sensitive=True)
    while (chunk := await next_chunk(chunks, None)) is not None:
        yield chunk
