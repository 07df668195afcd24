"""Scenario: the Measures chart tab of a client with 200 administrations of each shipped measure (600 in all).

Signed in as the client's clinician: first the signed-in baseline (the same person, the baseline view), then the tab
(three SVG trends of 200 points each, their tables, and the first page of administrations) and the tab's second
page. Issue 14's target is a p95 at most twice the signed-in baseline's. A second client of the same clinic with
its own scores must not leak into the page: each case checks the count of points the page draws.
"""

import datetime

from django.contrib.auth.hashers import make_password

from accounts.people.models import Membership, RoleAssignment, User
from accounts.roles import Role
from bench.harness import Case, clinic_client
from clients.records.models import Client
from measures.administrations.models import Administration
from measures.instruments import scoring
from measures.instruments.models import Instrument
from tenancy.context import tenant_context
from tenancy.models import Organization

PER_MEASURE = 200


def _rows(client: Client, instruments: list[Instrument], count: int) -> list[Administration]:
    start = datetime.datetime(2022, 1, 3, 15, tzinfo=datetime.UTC)
    rows = []
    for instrument in instruments:
        spec = instrument.spec
        for i in range(count):
            total = (i * 7) % (spec.max_total + 1)
            top = max(spec.values)
            answers = [min(top, max(0, total - top * n)) for n in range(len(spec.items))]
            result = scoring.score(spec, answers)
            rows.append(
                Administration(
                    client=client,
                    instrument=instrument,
                    answers=answers,
                    status="complete",
                    total=result.total,
                    band=result.band.label if result.band else "",
                    band_level=result.band.level if result.band else None,
                    method="link",
                    completed_at=start + datetime.timedelta(days=5 * i),
                )
            )
    return rows


def cases() -> list[Case]:
    clinic = Organization.objects.create(name="Bench Measures", slug="bench-measures")
    user = User.objects.create(
        email="clin@bench-measures.test", full_name="Bench Clinician", password=make_password(None)
    )
    instruments = list(Instrument.objects.filter(key__in=["phq9", "gad7", "pcl5"]).order_by("key"))
    with tenant_context(clinic):
        clinician = Membership.objects.create(user=user, username="clin")
        RoleAssignment.objects.create(membership=clinician, role=Role.CLINICIAN)
        born = datetime.date(1985, 5, 1)
        ours = Client.objects.create(
            number=1,
            legal_first_name="Bench",
            legal_last_name="Measured",
            date_of_birth=born,
            primary_clinician=clinician,
            status="active",
        )
        other = Client.objects.create(
            number=2,
            legal_first_name="Other",
            legal_last_name="Client",
            date_of_birth=born,
            primary_clinician=clinician,
            status="active",
        )
        Administration.objects.bulk_create(_rows(ours, instruments, PER_MEASURE) + _rows(other, instruments, 50))
    signed_in = clinic_client(clinic, user)
    points = f'<figure class="measure-trend" data-instrument="{instruments[0].key}"'
    return [
        Case("signed-in baseline (clinician)", signed_in, "/__bench__/baseline", expect=str(clinic.pk)),
        # The chart's own Overview tab of the same client: what any chart tab pays (header, tab bar, audit).
        Case("chart: overview tab (for comparison)", signed_in, f"/clients/{ours.pk}/overview/", expect="Overview"),
        Case(
            f"measures: tab, {PER_MEASURE} of each of 3 measures",
            signed_in,
            f"/clients/{ours.pk}/measures/",
            expect=points,
        ),
        Case(
            "measures: administrations page 2",
            signed_in,
            f"/clients/{ours.pk}/measures/",
            params={"page": "2"},
            expect="Page 2",
        ),
    ]
