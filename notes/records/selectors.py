"""Reads of notes that carry the policy: which of a client's notes a person may list, the co-sign queue, late
notes. Single notes are opened through ``records.access.get_note``."""

import datetime

from django.db.models import (
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast

from accounts.people.models import Membership
from clients.records.models import Client
from notes.cosign.models import SupervisionRule
from notes.note_templates.models import NoteType
from notes.records.models import EDITABLE, Note, Status
from scheduling.appointments.models import AppointmentClient, AppointmentClinician
from scheduling.appointments.models import Status as ApptStatus

LIST_FIELDS = (
    "pk",
    "note_type",
    "status",
    "attendance",
    "service_date",
    "start_time",
    "signature",
    "signed_at",
    "cosignature",
    "due_at",
    "author_id",
    "author__user__full_name",
    "template_version__template__name",
)


def readable(actor: Membership) -> Q:
    """Notes ``actor`` may read among those of a chart they may see clinically: their own, and others' signed
    notes that are not psychotherapy notes."""
    return Q(author=actor) | (~Q(note_type=NoteType.PSYCHOTHERAPY) & ~Q(status__in=EDITABLE))


def chart_notes(actor: Membership, client: Client) -> QuerySet:
    """The client's notes for the chart's Notes tab, newest first, as plain rows (one query per page)."""
    return (
        Note.objects.filter(client=client).filter(readable(actor)).order_by("-service_date", "-pk").values(*LIST_FIELDS)
    )


def notes_for_print(client: Client, first: datetime.date, last: datetime.date) -> QuerySet:
    """Signed notes of a date range for a records request: never drafts, never psychotherapy notes."""
    return (
        Note.objects.filter(client=client, service_date__range=(first, last))
        .exclude(note_type=NoteType.PSYCHOTHERAPY)
        .exclude(status__in=EDITABLE)
        .select_related("template_version", "group_session")
        .prefetch_related("addenda")
        .order_by("service_date", "start_time", "pk")
    )


def cosign_queue(actor: Membership) -> QuerySet:
    """Notes waiting for ``actor``'s co-signature, oldest signature first."""
    return (
        Note.objects.filter(cosigner=actor, status=Status.AWAITING_COSIGN)
        .order_by("signed_at", "pk")
        .values("pk", "note_type", "service_date", "signed_at", "signature", "cosign_mode", "client__number")
    )


# Appointment statuses that mean the session took place as far as the calendar knows. A cancellation needs no
# note; a no-show is documented by its status (an attendance-only note stays optional).
NEEDS_NOTE = (ApptStatus.SCHEDULED, ApptStatus.CONFIRMED, ApptStatus.ARRIVED, ApptStatus.COMPLETED)

# The late list's columns, the same in both halves of its union (``r_`` keeps them apart from model fields).
LATE_COLUMNS = (
    "r_due",
    "r_kind",
    "r_ref",
    "r_clinician",
    "r_client",
    "r_clinician_name",
    "r_client_number",
    "r_start",
    "r_date",
    "r_group",
    "r_note",
    "r_note_author",
    "r_status",
)


def documenting(appointment_ref, client_ref) -> QuerySet:
    """Notes that document an appointment for a client: psychotherapy notes never do (they are not the record)."""
    return Note.objects.filter(appointment_id=appointment_ref, client_id=client_ref).exclude(
        note_type=NoteType.PSYCHOTHERAPY
    )


def late_notes(actor: Membership, now: datetime.datetime, overdue_hours: int) -> QuerySet:
    """What is overdue for ``actor`` (and, for a supervisor, their supervisees), most overdue first, as one query.

    Two kinds of rows: a *session* — a client's appointment with ``actor`` (or a supervisee) as clinician, ended
    more than ``overdue_hours`` before ``now``, not cancelled or a no-show, without a signed note; it carries the
    draft when one was started — and a *note*: any other unsigned note past its ``due_at`` (contact notes,
    psychotherapy notes, whose author alone sees them, notes of a cancelled appointment)."""
    hours = datetime.timedelta(hours=overdue_hours)
    supervisees = SupervisionRule.objects.filter(supervisor=actor).values("supervisee_id")
    owners = Q(pk=actor.pk) | Q(pk__in=supervisees)
    clinician = "appointment__clinician_links__clinician"
    draft = documenting(OuterRef("appointment_id"), OuterRef("client_id")).filter(status__in=EDITABLE).order_by("pk")
    sessions = (
        AppointmentClient.objects.filter(
            appointment__status__in=NEEDS_NOTE,
            appointment__end__lt=now - hours,
            **{f"{clinician}__in": Membership.objects.filter(owners)},
        )
        .exclude(Exists(documenting(OuterRef("appointment_id"), OuterRef("client_id")).exclude(status__in=EDITABLE)))
        .annotate(
            r_due=ExpressionWrapper(F("appointment__end") + hours, output_field=DateTimeField()),
            r_kind=Value("session"),
            r_ref=F("appointment_id"),
            r_clinician=F(f"{clinician}_id"),
            r_client=F("client_id"),
            r_clinician_name=F(f"{clinician}__user__full_name"),
            r_client_number=F("client__number"),
            r_start=F("appointment__start"),
            r_date=Cast(Value(None), DateField()),
            r_group=F("appointment__appointment_type__is_group"),
            r_note=Subquery(draft.values("pk")[:1]),
            r_note_author=Subquery(draft.values("author_id")[:1]),
            r_status=Subquery(draft.values("status")[:1]),
        )
        .values(*LATE_COLUMNS)
        .order_by()
    )
    # Drafts of a session listed above are shown on its row, not twice.
    on_a_session_row = (
        Q(appointment__status__in=NEEDS_NOTE)
        & ~Q(note_type=NoteType.PSYCHOTHERAPY)
        & Q(
            Exists(
                AppointmentClinician.objects.filter(appointment=OuterRef("appointment"), clinician=OuterRef("author"))
            )
        )
    )
    notes = (
        Note.objects.filter(status__in=EDITABLE, due_at__lt=now)
        .filter(Q(author=actor) | (Q(author_id__in=supervisees) & ~Q(note_type=NoteType.PSYCHOTHERAPY)))
        .exclude(on_a_session_row)
        .annotate(
            r_due=F("due_at"),
            r_kind=Value("note"),
            r_ref=F("pk"),
            r_clinician=F("author_id"),
            r_client=F("client_id"),
            r_clinician_name=F("author__user__full_name"),
            r_client_number=F("client__number"),
            r_start=Cast(Value(None), DateTimeField()),
            r_date=F("service_date"),
            r_group=Value(False),
            r_note=F("pk"),
            r_note_author=F("author_id"),
            r_status=F("status"),
        )
        .values(*LATE_COLUMNS)
        .order_by()
    )
    return sessions.union(notes, all=True).order_by("r_due", "r_kind", "r_ref", "r_client", "r_clinician")
