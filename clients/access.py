"""Reads of client charts: every one crosses this module, which checks policy and writes the audit event."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.people.models import Membership, User
from audit.services import record, record_denied
from clients import policies
from clients.care_team.models import CareTeamMember
from clients.programs.models import Program
from clients.records.models import Client, EmergencyAccess
from core.authz import get_for_clinic_or_404, require
from tenancy.models import Location


@dataclass(frozen=True)
class ChartAccess:
    sections: frozenset[str]
    on_caseload: bool
    emergency_until: object | None

    def allows(self, section: str) -> bool:
        return section in self.sections


def on_caseload(actor: Membership, client: Client) -> bool:
    return (
        client.primary_clinician_id == actor.pk
        or client.care_team.filter(membership=actor, removed_at__isnull=True).exists()
    )


def active_emergency(actor: Membership, client: Client) -> EmergencyAccess | None:
    return (
        EmergencyAccess.objects.filter(membership=actor, client=client, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def chart_access(actor: Membership, client: Client) -> ChartAccess:
    caseload = on_caseload(actor, client)
    emergency = None if caseload else active_emergency(actor, client)
    sections = policies.sections_for(actor, on_caseload=caseload, emergency=emergency is not None)
    return ChartAccess(sections, caseload, emergency.expires_at if emergency else None)


def _unshown(path: str, model, shown: tuple[str, ...]) -> list[str]:
    """The columns of ``model`` (reached by ``path``) to leave unread: all but its key and ``shown``."""
    return [
        f"{path}__{field.name}"
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in shown
    ]


# What chart pages leave unread of the client's clinician, program and location: all but their names. Every chart
# page compiles the client's statement, and quoting ~40 unused columns of the joined rows cost more than reading
# them; a column left out is still loaded on first use (one query), never wrong.
_UNSHOWN = (
    *_unshown("primary_clinician", Membership, ("user",)),
    *_unshown("primary_clinician__user", User, ("full_name",)),
    *_unshown("program", Program, ("name",)),
    *_unshown("default_location", Location, ("name",)),
)


def get_chart(request: HttpRequest, pk, section: str) -> tuple[Client, ChartAccess]:
    """The client and what the person may see, or 404 (another clinic, unknown) / 403 (not this section).

    Refusals are audited; the read itself is recorded as ``client.viewed`` with the section.
    """
    client = get_for_clinic_or_404(
        request,
        Client.objects.select_related("primary_clinician__user", "program", "default_location").defer(*_UNSHOWN),
        "clients.view",
        pk,
    )
    access = chart_access(request.membership, client)
    if not access.allows(section):
        record_denied(request, f"clients.view.{section}", client)
        raise PermissionDenied(section)
    record("client.viewed", request=request, target=client, client_id=client.pk, detail={"section": section})
    return client, access


def get_chart_to_change(
    request: HttpRequest, pk, section: str, allowed: Callable[[Membership, frozenset[str]], bool], permission: str
) -> tuple[Client, ChartAccess]:
    """``get_chart``, then 403 unless ``allowed(actor, sections)``: the start of a view that changes a part of the
    chart which one section-wide policy guards (contacts, diagnoses, insurance, consents, demographics). The
    refusal is audited as ``permission`` on the client."""
    client, chart = get_chart(request, pk, section)
    require(request, allowed(request.membership, chart.sections), permission, client)
    return client, chart


def visible_clients(actor: Membership) -> QuerySet:
    """Clients the person may find in lists and search (their caseload, or all for roles that need it)."""
    clients = Client.objects.exclude(status="entered_in_error")
    if policies.sees_all_clients(actor):
        return clients
    if not actor.has_role(*policies.CLINICAL_ROLES):
        return clients.none()
    # A UNION of two indexed look-ups: an OR across the care-team join would read every client of the clinic.
    caseload = (
        Client.objects.filter(primary_clinician=actor)
        .values("pk")
        .union(CareTeamMember.objects.filter(membership=actor, removed_at__isnull=True).values("client_id"))
    )
    return clients.filter(pk__in=caseload)
