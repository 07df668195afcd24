"""Notes: the chart's Notes tab of a client with 500 signed notes, a supervisor's co-sign queue of 300 waiting
notes, and a draft's autosave, beside the signed-in baseline of the same clinician.

Rows are bulk-created as the services would leave them (signed with a signature, or waiting for the co-signer);
a second clinic holds as many notes again, which must stay invisible.
"""

import datetime

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.roles import Role
from bench.client_search import add_member
from bench.harness import Case, clinic_client
from clients.records.models import Client
from notes.cosign.models import SupervisionRule
from notes.note_templates.models import NoteTemplate
from notes.note_templates.services import install_shipped
from notes.records.models import Note, Status
from tenancy.context import tenant_context
from tenancy.models import Organization

SIGNED, WAITING = 500, 300
ANSWERS = {"data": "Reviewed the week.", "assessment": "Stable.", "distress": 3, "plan": "Weekly."}


class AutosaveCase(Case):
    """An autosave as the draft page sends it; each answer's new version goes into the next request, as the
    page's script does, so every request saves (none is a conflict)."""

    def send(self):
        response = super().send()
        if response.status_code == 200:
            self.params["version"] = str(response.json()["version"])
        return response


def _load(organization: Organization, password: str, prefix: str):
    clinician = add_member(organization, f"{prefix}clinician", Role.CLINICIAN, password)
    supervisor = add_member(organization, f"{prefix}supervisor", Role.SUPERVISOR, password)
    now = timezone.now()
    with tenant_context(organization):
        install_shipped()
        version = NoteTemplate.objects.get(shipped_key="dap").versions.get(number=1)
        client = Client.objects.create(
            number=1,
            legal_first_name="Avery",
            legal_last_name="Stone",
            date_of_birth=datetime.date(1990, 1, 1),
            primary_clinician=clinician,
            status="active",
        )
        others = Client.objects.bulk_create(
            [
                Client(
                    number=2 + i,
                    legal_first_name="Sam",
                    legal_last_name=f"Lee{i}",
                    date_of_birth=datetime.date(1985, 1, 1),
                    primary_clinician=clinician,
                    status="active",
                )
                for i in range(30)
            ]
        )
        SupervisionRule.objects.create(supervisee=clinician, supervisor=supervisor)
        base = {
            "author": clinician,
            "note_type": "progress",
            "template_version": version,
            "answers": ANSWERS,
            "last_saved_by": clinician,
            "start_time": datetime.time(10),
            "end_time": datetime.time(10, 45),
            "signature": "Clinician, LCSW",
        }
        today = timezone.localdate()
        signed = [
            Note(
                client=client,
                status=Status.SIGNED,
                service_date=today - datetime.timedelta(days=i),
                signed_at=now,
                **base,
            )
            for i in range(SIGNED)
        ]
        waiting = [
            Note(
                client=others[i % len(others)],
                status=Status.AWAITING_COSIGN,
                cosigner=supervisor,
                cosign_mode="all",
                service_date=today - datetime.timedelta(days=i % 60),
                signed_at=now - datetime.timedelta(minutes=i),
                **base,
            )
            for i in range(WAITING)
        ]
        Note.objects.bulk_create(signed + waiting)
        draft = Note.objects.create(
            client=client, status=Status.DRAFT, service_date=today, **{**base, "signature": "", "answers": {}}
        )
    return clinician, supervisor, client, draft


def cases() -> list[Case]:
    password = make_password("Correct-Horse-42!")
    clinic = Organization.objects.create(name="Cedar Clinic", slug="cedar", time_zone="America/New_York")
    other = Organization.objects.create(name="Birch Clinic", slug="birch", time_zone="America/Chicago")
    clinician, supervisor, client, draft = _load(clinic, password, "")
    _load(other, password, "b")
    print(f"notes: {SIGNED} signed notes on one chart, {WAITING} waiting for one supervisor, in each of two clinics.")
    writer = clinic_client(clinic, clinician.user)
    reviewer = clinic_client(clinic, supervisor.user)
    form = {
        "version": str(draft.version),
        "s-service_date": draft.service_date.isoformat(),
        "s-start_time": "10:00",
        "s-end_time": "10:45",
        "s-attendance": "attended",
        "a-data": "Typing along " * 40,
        "a-assessment": "Stable.",
        "a-distress": "4",
        "a-plan": "Weekly.",
    }
    return [
        Case("signed-in baseline (clinician)", writer, "/__bench__/baseline", expect=str(clinic.pk)),
        # Any chart tab pays for the chart's header and tab bar: this one shows what that costs on its own.
        Case("chart: an empty Diagnoses tab", writer, f"/clients/{client.pk}/diagnoses/", expect="Diagnoses"),
        Case(f"notes: tab of a chart with {SIGNED} notes", writer, f"/clients/{client.pk}/notes/", expect='rel="next"'),
        Case(f"notes: co-sign queue of {WAITING}", reviewer, "/notes/cosign/", expect='rel="next"'),
        AutosaveCase(
            "notes: autosave of a draft",
            writer,
            f"/notes/{draft.pk}/autosave/",
            form,
            expect='"saved": true',
            method="post",
        ),
    ]
