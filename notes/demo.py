"""Demo notes: Casey Clinician (co-signed by Sam Supervisor) with a signed and co-signed note, a draft, an overdue
draft and a note waiting for Sam's co-signature; Sam with a signed note of his own. Two demo clients of Casey's
(numbers 9101 and 9102) hold them. Safe to run again: nothing is duplicated."""

import datetime

from django.utils import timezone

from accounts.people.models import Membership
from clients.records.models import Client
from core.clinic_time import clinic_today
from notes.cosign.models import Mode, SupervisionRule
from notes.note_templates.models import NoteTemplate
from notes.note_templates.services import install_shipped
from notes.records.models import Note, Status
from notes.setup.services import settings_for_clinic
from tenancy.models import Organization

CLIENTS = [
    (9101, "Avery", "Lindqvist", datetime.date(1993, 8, 14)),
    (9102, "Jordan", "Mbeki", datetime.date(1980, 2, 2)),
]
DAP = {
    "data": "Client described a calmer week and used the breathing exercise twice before work meetings.",
    "assessment": "Anxiety is easing; the client applies skills without prompting.",
    "distress": 4,
    "plan": "Continue weekly sessions; practise the exercise daily and log situations.",
}


def load(organization: Organization, staff: dict[str, Membership]) -> None:
    clinician, supervisor = staff["clinician"], staff["supervisor"]
    Membership.objects.filter(pk=clinician.pk, credentials="").update(credentials="LCSW")
    Membership.objects.filter(pk=supervisor.pk, credentials="").update(credentials="PhD")
    clinician.refresh_from_db()
    supervisor.refresh_from_db()
    install_shipped()
    settings_for_clinic()
    SupervisionRule.objects.get_or_create(supervisee=clinician, defaults={"supervisor": supervisor, "mode": Mode.ALL})
    clients = []
    for number, first, last, born in CLIENTS:
        client, _ = Client.objects.get_or_create(
            number=number,
            defaults={
                "legal_first_name": first,
                "legal_last_name": last,
                "date_of_birth": born,
                "primary_clinician": clinician,
                "status": "active",
            },
        )
        clients.append(client)
    if Note.objects.filter(client__in=clients).exists():
        return
    dap = NoteTemplate.objects.get(shipped_key="dap").versions.get(number=1)
    today, now = clinic_today(), timezone.now()

    def note(client, author, days_ago, status, answers, **extra):
        day = today - datetime.timedelta(days=days_ago)
        return Note.objects.create(
            client=client,
            author=author,
            note_type="progress",
            template_version=dap,
            status=status,
            service_date=day,
            start_time=datetime.time(10),
            end_time=datetime.time(10, 45),
            duration_minutes=45,
            place_of_service="11",
            answers=answers,
            last_saved_by=author,
            last_saved_at=now,
            due_at=now - datetime.timedelta(days=days_ago) + datetime.timedelta(hours=72),
            **extra,
        )

    signed_at = now - datetime.timedelta(days=13)
    note(
        clients[0],
        clinician,
        14,
        Status.SIGNED,
        DAP,
        signed_at=signed_at,
        signature=clinician.signature_name,
        cosigner=supervisor,
        cosign_mode=Mode.ALL,
        cosigned_at=signed_at + datetime.timedelta(hours=20),
        cosignature=supervisor.signature_name,
    )
    note(
        clients[0],
        clinician,
        7,
        Status.AWAITING_COSIGN,
        DAP,
        signed_at=now - datetime.timedelta(days=6),
        signature=clinician.signature_name,
        cosigner=supervisor,
        cosign_mode=Mode.ALL,
    )
    note(clients[1], clinician, 6, Status.DRAFT, {"data": "Client arrived late; discussed"})
    note(clients[0], clinician, 0, Status.DRAFT, {})
    note(
        clients[1],
        supervisor,
        10,
        Status.SIGNED,
        DAP,
        signed_at=now - datetime.timedelta(days=10),
        signature=supervisor.signature_name,
    )
