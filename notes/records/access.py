"""Opening one note: every view that shows or changes a note starts here."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from audit.models import Outcome
from audit.services import record, record_denied
from clients.access import ChartAccess, chart_access
from core.authz import get_for_clinic_or_404
from notes import policies
from notes.records.models import Note


def get_note(
    request: HttpRequest, pk, permission: str = "notes.view", *, audit_read: bool = True
) -> tuple[Note, ChartAccess]:
    """The note and the person's chart access, or 404 (another clinic, unknown, or someone else's psychotherapy
    note, whose existence is not revealed) / 403 (not their clinical section), both audited; the read is
    recorded as ``note.viewed``, unless the caller is a write that its service audits itself (``audit_read``
    False: an autosave is a ``note.saved``, not also a read)."""
    queryset = Note.objects.select_related(
        "client", "author__user", "template_version__template", "appointment", "group_session", "cosigner__user"
    )
    note = get_for_clinic_or_404(request, queryset, permission, pk)
    actor = request.membership
    access = chart_access(actor, note.client)
    if not policies.can_read_note(actor, note, access.sections):
        if note.is_psychotherapy:
            record(
                "access.not_found",
                request=request,
                target=note,
                client_id=note.client_id,
                outcome=Outcome.DENIED,
                detail={"permission": permission},
            )
            raise Http404
        record_denied(request, permission, note)
        raise PermissionDenied(permission)
    if audit_read:
        record("note.viewed", request=request, target=note, client_id=note.client_id)
    return note, access
