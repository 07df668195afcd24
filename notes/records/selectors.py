"""Reads of notes that carry the policy: which of a client's notes a person may list, the co-sign queue, late
notes. Single notes are opened through ``records.access.get_note``."""

import datetime

from django.db.models import Q, QuerySet

from accounts.people.models import Membership
from clients.records.models import Client
from notes.cosign.models import SupervisionRule
from notes.note_templates.models import NoteType
from notes.records.models import EDITABLE, Note, Status

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


def late_notes(actor: Membership, now: datetime.datetime) -> QuerySet:
    """Unsigned notes past their due time, written by ``actor`` or by someone they supervise."""
    supervisees = SupervisionRule.objects.filter(supervisor=actor).values("supervisee_id")
    return (
        Note.objects.filter(status__in=EDITABLE, due_at__lt=now)
        .filter(Q(author=actor) | (Q(author_id__in=supervisees) & ~Q(note_type=NoteType.PSYCHOTHERAPY)))
        .order_by("due_at", "pk")
        .values(
            "pk",
            "note_type",
            "service_date",
            "due_at",
            "status",
            "author_id",
            "author__user__full_name",
            "client__number",
        )
    )
