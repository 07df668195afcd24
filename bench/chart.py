"""Scenario: one client's chart, every tab of it, in a clinic of 100,000 clients, as the clinician on the caseload.

The client has a long history: 500 appointments (past and future, each with its clinician), 500 documents, 50
diagnoses, and a few of everything else the tabs show (consents, releases, disclosures, amendments, insurance,
status changes, alerts, contacts, a care team). The clinic's other clients are loaded by ``client_search``'s COPY,
and a second, smaller clinic makes the tenant filter do real work.

The tabs come from ``clients.tabs.all_tabs()``, so a tab another app registers is timed too, plus the chart pages
that are not tabs (status history, the accounting of disclosures). Each row checks that its tab is the one shown.
Tabs that load every row take up to a second a request, so those rows are timed ``TAB_SAMPLES`` times, not the
run's full count; the overview, the target the issue sets, gets every iteration. ``load`` is shared with
``bench.throughput``, which serves the same data from a real server.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.people.models import Membership
from accounts.roles import Role
from bench.client_search import CLIENTS, OTHER_CLINIC_SHARE, add_member, load_clinic, make_people
from bench.harness import Case, clinic_client
from clients import tabs
from clients.alerts.models import ClientAlert
from clients.amendments.models import AmendmentRequest
from clients.care_team.models import CareTeamMember
from clients.consents.models import Authorization, Consent, Disclosure
from clients.contacts.models import ClientContact
from clients.diagnoses.models import Diagnosis
from clients.documents.models import CATEGORY_SECTIONS, ClientDocument
from clients.insurance.models import InsurancePolicy, Payer
from clients.records.models import Client, ClientStatusChange
from scheduling.appointments.models import Appointment, AppointmentClient, AppointmentClinician, AppointmentType
from tenancy.context import tenant_context
from tenancy.models import Location, Organization

APPOINTMENTS = 500
DOCUMENTS = 500
DIAGNOSES = 50
OTHER_APPOINTMENTS = 10_000  # the rest of the clinic's calendar, so the client's appointments are a small part
TAB_SAMPLES = 40  # timed requests per tab row (the overview and the baselines get the run's full count)
PASSWORD = "Correct-Horse-42!"
SLUG = "harbor"


@dataclass(frozen=True)
class Chart:
    """What ``load`` made: the clinic, the client whose chart is read, and the clinician on its caseload."""

    clinic: Organization
    client: Client
    clinician: Membership
    clients: int


def _history(clinic: Organization, client: Client, clinician: Membership, colleague: Membership) -> None:
    """The client's chart: appointments, documents, diagnoses and a handful of everything else."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    today = now.date()
    site = Location.objects.create(name="Main office")
    kind = AppointmentType.objects.create(name="Individual therapy 50", default_duration=50, service_code="90834")
    # Two a week around today, two thirds in the past (attended, a few no-shows and cancellations).
    starts = [now + datetime.timedelta(days=3.5 * (i - APPOINTMENTS * 2 // 3)) for i in range(APPOINTMENTS)]
    statuses = ["completed"] * 8 + ["no_show", "cancelled"]
    appointments = Appointment.objects.bulk_create(
        [
            Appointment(
                appointment_type=kind,
                start=start,
                end=start + datetime.timedelta(minutes=50),
                location=site,
                status=statuses[i % 10] if start < now else "scheduled",
                cancelled_by="client" if start < now and i % 10 == 9 else "",
            )
            for i, start in enumerate(starts)
        ]
    )
    AppointmentClient.objects.bulk_create([AppointmentClient(appointment=a, client=client) for a in appointments])
    AppointmentClinician.objects.bulk_create(
        [AppointmentClinician(appointment=a, clinician=clinician) for a in appointments]
    )
    others = list(Client.objects.exclude(pk=client.pk).order_by("pk").values_list("pk", flat=True)[:2000])
    busy = Appointment.objects.bulk_create(
        [
            Appointment(
                appointment_type=kind,
                start=now + datetime.timedelta(hours=i - OTHER_APPOINTMENTS // 2),
                end=now + datetime.timedelta(hours=i - OTHER_APPOINTMENTS // 2, minutes=50),
                location=site,
            )
            for i in range(OTHER_APPOINTMENTS)
        ],
        batch_size=5000,
    )
    AppointmentClient.objects.bulk_create(
        [AppointmentClient(appointment=a, client_id=others[i % len(others)]) for i, a in enumerate(busy)],
        batch_size=5000,
    )
    AppointmentClinician.objects.bulk_create(
        [AppointmentClinician(appointment=a, clinician=colleague) for a in busy], batch_size=5000
    )

    categories = list(CATEGORY_SECTIONS)
    ClientDocument.objects.bulk_create(
        [
            ClientDocument(
                client=client,
                title=f"Scanned record {i}",
                category=categories[i % len(categories)],
                section=CATEGORY_SECTIONS[categories[i % len(categories)]],
                uploaded_by=colleague,
                uploaded_at=now - datetime.timedelta(days=i),
                original_filename=f"record-{i}.pdf",
                stored_name=f"bench/{client.pk}/{i}.pdf",
                size=40_000 + i,
                content_type="application/pdf",
                sha256=f"{i:064x}",
            )
            for i in range(DOCUMENTS)
        ]
    )
    Diagnosis.objects.bulk_create(
        [
            Diagnosis(
                client=client,
                code=f"F{40 + i // 10}.{i % 10}",
                description=f"Bench diagnosis {i}",
                onset_date=today - datetime.timedelta(days=30 * i),
                resolved_date=today - datetime.timedelta(days=10 * i) if i % 3 == 2 else None,
                is_primary=i == 0,
            )
            for i in range(DIAGNOSES)
        ]
    )
    Consent.objects.bulk_create(
        [
            Consent(client=client, kind=kind_, signed_date=today - datetime.timedelta(days=400), recorded_by=colleague)
            for kind_ in ("treatment", "telehealth", "financial", "privacy_notice")
        ]
    )
    releases = Authorization.objects.bulk_create(
        [
            Authorization(
                client=client,
                recipient_kind="provider",
                recipient_name=f"Dr. Recipient {i}",
                purpose="Continuity of care",
                categories=["diagnoses", "treatment_summary"],
                signed_date=today - datetime.timedelta(days=100 + i),
                effective_date=today - datetime.timedelta(days=100 + i),
                expiry_date=today + datetime.timedelta(days=265 - i),
                recorded_by=colleague,
            )
            for i in range(5)
        ]
    )
    Disclosure.objects.bulk_create(
        [
            Disclosure(
                client=client,
                disclosed_on=today - datetime.timedelta(days=2 * i),
                authorization=releases[i % len(releases)],
                recipient_name=releases[i % len(releases)].recipient_name,
                categories=["diagnoses"],
                purpose="Continuity of care",
                released_by=clinician,
                recorded_by=clinician,
            )
            for i in range(20)
        ]
    )
    AmendmentRequest.objects.bulk_create(
        [
            AmendmentRequest(
                client=client,
                section="demographics",
                record_description=f"Address on file ({i})",
                requested_change="The address changed in the spring.",
                received_on=today - datetime.timedelta(days=10 * i),
                due_on=today - datetime.timedelta(days=10 * i) + datetime.timedelta(days=60),
                recorded_by=colleague,
            )
            for i in range(5)
        ]
    )
    payers = Payer.objects.bulk_create([Payer(name=f"Bench Health Plan {i}", payer_id=f"BHP{i:02d}") for i in range(3)])
    InsurancePolicy.objects.bulk_create(
        [
            InsurancePolicy(
                client=client,
                payer=payer,
                order=i + 1,
                member_id=f"M{i:08d}",
                effective_date=today - datetime.timedelta(days=365),
                end_date=today - datetime.timedelta(days=10) if i == 2 else None,
                is_active=i != 2,
            )
            for i, payer in enumerate(payers)
        ]
    )
    steps = [("", "waitlist"), ("waitlist", "active"), ("active", "discharged"), ("discharged", "active")]
    ClientStatusChange.objects.bulk_create(
        [
            ClientStatusChange(
                client=client,
                from_status=before,
                to_status=after,
                effective_date=today - datetime.timedelta(days=900 - 200 * i),
                changed_by=colleague,
                changed_at=now - datetime.timedelta(days=900 - 200 * i),
            )
            for i, (before, after) in enumerate(steps)
        ]
    )
    ClientAlert.objects.bulk_create(
        [
            ClientAlert(client=client, kind="allergy", severity="high", text="Penicillin", created_by=clinician),
            ClientAlert(client=client, kind="risk", text="Safety plan on file", created_by=clinician),
            ClientAlert(client=client, kind="communication", text="Prefers text messages", created_by=colleague),
        ]
    )
    ClientContact.objects.bulk_create(
        [
            ClientContact(
                client=client,
                name="Sam Rivers",
                relationship="spouse",
                phone="503-555-0101",
                is_emergency_contact=True,
                position=1,
            ),
            ClientContact(client=client, name="Alex Rivers", relationship="sibling", phone="503-555-0102", position=2),
        ]
    )
    CareTeamMember.objects.create(client=client, membership=colleague)


def load(*, clients: int | None = None) -> Chart:
    """The clinic of ``clients`` (100,000 on PostgreSQL) with its staff and the one client with a long chart."""
    count = clients or CLIENTS.get(connection.vendor, CLIENTS["sqlite"])
    password = make_password(PASSWORD)
    clinic = Organization.objects.create(name="Harbor Behavioral Health", slug=SLUG, time_zone="America/New_York")
    other = Organization.objects.create(name="Hillside Counseling", slug="hillside", time_zone="America/Chicago")
    people = make_people(count, seed=2026)
    load_clinic(clinic, people)
    load_clinic(other, make_people(count // OTHER_CLINIC_SHARE, seed=7))
    clinician = add_member(clinic, "clinician", Role.CLINICIAN, password)
    colleague = add_member(clinic, "colleague", Role.CLINICIAN, password)
    with tenant_context(clinic):
        client = Client.objects.get(number=people[count // 2]["number"])
        Client.objects.filter(pk=client.pk).update(
            status="active", intake_date=datetime.date(2025, 1, 6), primary_clinician=clinician
        )
        client.refresh_from_db()
        _history(clinic, client, clinician, colleague)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Chart(clinic, client, clinician, count)


def chart_paths(client: Client) -> list[tuple[str, str, str]]:
    """(label, path, text the page must show) for every registered tab and the chart's other read-only pages."""
    pages = [
        (
            f"chart: {tab.label.lower()}",
            reverse("clients:tab", args=[client.pk, tab.key]),
            f'aria-current="page">{tab.label}</a>',
        )
        for tab in tabs.all_tabs()
    ]
    pages.append(("chart: status history", reverse("clients:status", args=[client.pk]), "Status history"))
    pages.append(("chart: accounting of disclosures", reverse("clients:accounting", args=[client.pk]), "Recipient 0"))
    return pages


def cases() -> list[Case]:
    """Load the clinic and the chart, sign the clinician in, and return the signed-in baseline and the chart pages."""
    chart = load()
    print(
        f"chart: {chart.clients:,} clients in the clinic; the chart has "
        f"{APPOINTMENTS} appointments, {DOCUMENTS} documents, {DIAGNOSES} diagnoses; tab rows timed "
        f"{TAB_SAMPLES} times."
    )
    signed_in = clinic_client(chart.clinic, chart.clinician.user)
    rows = []
    for label, path, expect in chart_paths(chart.client):
        samples = None if label == "chart: overview" else TAB_SAMPLES
        rows.append(Case(label, signed_in, path, expect=expect, samples=samples))
    baseline = Case(
        "signed-in baseline (clinician)",
        signed_in,
        "/__bench__/baseline",
        expect=str(chart.clinic.pk),
        signed_in_baseline=True,
    )
    return [baseline, *rows]
