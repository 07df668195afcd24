"""Every chart list that grows is paged: the same queries for 3 rows as for 60, under a fixed budget, and page 2
shows the next rows in the list's order. Rows are written directly (not through the services) so that 60 are
quick to make; each carries a numbered marker (``Row 007``) that the page shows."""

import datetime
import re
from dataclasses import dataclass
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.amendments.models import AmendmentRequest
from clients.consents.models import Consent, Disclosure, LegalBasis
from clients.diagnoses.models import Diagnosis
from clients.documents.models import ClientDocument
from clients.records.models import ClientStatusChange
from conftest import rls_queries
from tenancy.context import tenant_context

TODAY = datetime.date(2026, 6, 1)
MARKER = re.compile(r"Row (\d{3})")


def _diagnoses(record, member, n):
    for i in range(n):  # all active, none primary: listed by code
        Diagnosis.objects.create(client=record, code=f"Z{i:03d}", description=f"Row {i:03d}")


def _consents(record, member, n):
    for i in range(n):  # newest signed first
        Consent.objects.create(
            client=record,
            kind="telehealth",
            signed_date=TODAY - datetime.timedelta(days=i),
            signed_by="client",
            recorded_by=member,
            note=f"Row {i:03d}",
        )


def _disclosures(record, member, n):
    for i in range(n):  # newest released first
        Disclosure.objects.create(
            client=record,
            disclosed_on=TODAY - datetime.timedelta(days=i),
            legal_basis=LegalBasis.REQUIRED_BY_LAW,
            recipient_name="County court",
            purpose=f"Row {i:03d}",
            released_by=member,
            recorded_by=member,
        )


def _documents(record, member, n):
    for i in range(n):  # newest uploaded first
        ClientDocument.objects.create(
            client=record,
            title="Intake form",
            category="intake",
            section="demographics",
            uploaded_by=member,
            uploaded_at=timezone.now() - datetime.timedelta(hours=i),
            original_filename=f"Row {i:03d}.pdf",
            stored_name=f"{record.pk}/{i}.pdf",
            size=100,
            content_type="application/pdf",
            sha256="0" * 64,
        )


def _amendments(record, member, n):
    for i in range(n):  # all pending: soonest due first
        AmendmentRequest.objects.create(
            client=record,
            section="demographics",
            record_description=f"Row {i:03d}",
            requested_change="Spell my name right.",
            received_on=TODAY,
            due_on=TODAY + datetime.timedelta(days=i + 1),
            recorded_by=member,
        )


def _status_changes(record, member, n):
    for i in range(n):  # newest first
        ClientStatusChange.objects.create(
            client=record,
            to_status="active",
            reason=f"Row {i:03d}",
            changed_by=member,
            changed_at=timezone.now() - datetime.timedelta(minutes=i),
        )


@dataclass(frozen=True)
class PagedList:
    path: str  # under /clients/<pk>/
    param: str  # the page parameter
    region: str  # the id of the element the pager swaps
    make: object
    member: str  # the fixture of the person reading it
    per_page: int
    budget: int  # queries, besides row-level security's


LISTS = {
    "diagnoses": PagedList("diagnoses/", "page", "diagnoses", _diagnoses, "clinician", 25, 10),
    "consents": PagedList("consents/", "consents", "consents", _consents, "front_desk", 20, 15),
    "disclosures": PagedList("consents/", "disclosures", "disclosures", _disclosures, "front_desk", 20, 15),
    # Chart pages of a clinician pay one more query for the measures app's safety banner.
    "documents": PagedList("documents/", "page", "documents-list", _documents, "clinician", 25, 11),
    "amendments": PagedList("amendments/", "page", "amendments", _amendments, "clinician", 25, 12),
    "status history": PagedList("status/", "history", "history", _status_changes, "clinician", 25, 10),
}


def _region(response, region_id: str) -> str:
    text = unescape(response.content.decode())
    start = text.index(f'id="{region_id}"')
    return text[start : text.index("</section>", start)]


def _markers(response, region_id: str) -> list[int]:
    return [int(m) for m in MARKER.findall(_region(response, region_id))]


@pytest.fixture
def reader(request):
    return lambda name: request.getfixturevalue(name)


@pytest.mark.parametrize("name", LISTS)
def test_the_list_costs_the_same_queries_for_3_rows_or_60(
    name, org, clinician, make_chart_client, clinic_client, reader
):
    spec = LISTS[name]
    member = reader(spec.member)
    counts = []
    for n in (3, 60):
        record = make_chart_client(org, primary=clinician)
        with tenant_context(org):
            spec.make(record, member, n)
        client = clinic_client(org, member)
        client.get("/")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/clients/{record.pk}/{spec.path}")
        assert response.status_code == 200
        assert len(_markers(response, spec.region)) == min(n, spec.per_page)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= spec.budget + rls_queries(), counts


@pytest.mark.parametrize("name", LISTS)
def test_page_two_shows_the_next_rows_and_a_bad_page_is_page_one(
    name, org, clinician, make_chart_client, clinic_client, reader
):
    spec = LISTS[name]
    member = reader(spec.member)
    record = make_chart_client(org, primary=clinician)
    total = spec.per_page + 7
    with tenant_context(org):
        spec.make(record, member, total)
    client = clinic_client(org, member)
    url = f"/clients/{record.pk}/{spec.path}"
    first = client.get(url)
    assert _markers(first, spec.region) == list(range(spec.per_page))
    region = _region(first, spec.region)
    assert f'href="?{spec.param}=2" rel="next"' in region
    assert f'data-hx-target="#{spec.region}" data-hx-select="#{spec.region}"' in region
    second = client.get(url, {spec.param: 2})
    assert _markers(second, spec.region) == list(range(spec.per_page, total))
    assert f'href="?{spec.param}=1" rel="prev"' in _region(second, spec.region)
    for bad in ("0", "-2", "two", "²", "1e3", "99999999999999999999999"):
        response = client.get(url, {spec.param: bad})
        assert response.status_code == 200 and _markers(response, spec.region) == list(range(spec.per_page))
