"""The yardstick every scenario is divided by: the cheapest page a clinic can serve, timed in the same run.

Dividing by it cancels most of the machine's speed, so ratios can be compared across laptops, CI and servers.
The request still passes the full middleware stack (host → clinic lookup, sessions, CSP, …), because every real
page pays that too; the view itself adds exactly one query on a unique index.
"""

from django.http import HttpRequest, HttpResponse

from bench.harness import Case, clinic_client
from tenancy.models import Organization

SLUG = "bench-baseline"


def baseline_view(request: HttpRequest) -> HttpResponse:
    """Fetch one clinic by its unique slug and answer with its id: one indexed query, no template."""
    organization = Organization.objects.only("pk").get(slug=request.organization.slug)
    return HttpResponse(str(organization.pk), content_type="text/plain")


def case() -> Case:
    """An anonymous request to the baseline page of a clinic of its own."""
    organization = Organization.objects.create(name="Bench Baseline", slug=SLUG, time_zone="UTC")
    return Case(
        "baseline (1 indexed query)", clinic_client(organization), "/__bench__/baseline", expect=str(organization.pk)
    )
