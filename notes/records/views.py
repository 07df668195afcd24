"""The chart's Notes tab, the read-only note and the late-notes list."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.mfa.services import has_mfa
from audit.services import record
from clients import tabs
from core.authz import require
from core.clinic_time import clinic_now, clinic_zone
from core.paging import page_number, window
from notes import policies
from notes.addenda.forms import addendum_form
from notes.cosign.models import Review
from notes.records import display, selectors
from notes.records.models import Status
from notes.setup.services import settings_for_clinic
from notes.signing.forms import UnlockForm
from notes.signing.services import unlock_deadline

PAGE_SIZE = 25


def notes_tab(request, client, chart):
    """Newest first, a page at a time (no count); the chart read was audited by ``get_chart``."""
    actor = request.membership
    page = window(selectors.chart_notes(actor, client), page_number(request.GET.get("page")), PAGE_SIZE)
    context = {
        "page": page,
        "can_write": policies.can_write_notes(actor, chart.sections),
        "can_print": policies.can_print_notes(actor, chart.sections),
        "now": timezone.now(),
        # One reverse per page, not per row.
        "detail_base": reverse("notes:detail", args=[0]).removesuffix("0/"),
    }
    return tabs.render_tab(request, client, chart, "notes", "notes/tab_notes.html", context)


def note_context(request, note, chart) -> dict:
    """What every view of one note shows: header facts, signatures, addenda, reviews and the actions allowed."""
    actor = request.membership
    now = timezone.now()
    deadline = unlock_deadline(note) if note.author_id == actor.pk else None
    uses_mfa = has_mfa(actor.user)
    can_review = policies.can_review_note(actor, note)
    reviews = list(note.reviews.select_related("reviewer__user"))
    returned = [r.comment for r in reviews if r.decision == Review.RETURNED]
    context = {
        "note": note,
        "uses_mfa": uses_mfa,
        "addenda": list(note.addenda.all()) if not note.is_editable else [],
        "reviews": reviews,
        "read_sections": display.sections(
            note.template_version.schema if note.template_version else None, note.answers
        ),
        "overdue": note.is_overdue(now),
        "can_add_addendum": policies.can_add_addendum(actor, note, chart.sections),
        "can_unlock": deadline is not None
        and now <= deadline
        and note.status in (Status.SIGNED, Status.AWAITING_COSIGN)
        and note.cosigned_at is None,
        "unlock_deadline": deadline,
        "can_review": can_review,
        "unlocks": list(note.unlocks.select_related("unlocked_by__user")),
        "returned_comment": returned[-1] if returned and note.status == Status.RETURNED else "",
    }
    if context["can_add_addendum"]:
        context["addendum_form"] = addendum_form(uses_mfa, note)
    if context["can_unlock"]:
        context["unlock_form"] = UnlockForm(initial={"version": note.version})
    if can_review:
        from notes.drafts.forms import ReviewForm

        context["review_form"] = ReviewForm(uses_mfa=uses_mfa, initial={"version": note.version})
    return context


@login_required
def late_notes(request):
    """Overdue documentation of the person, and of their supervisees for a supervisor (until the dashboard shows
    them): sessions with no signed note (a draft or none at all) and other unsigned notes past due. Reading it is
    audited like the schedule (one event per page, counts only): its rows tie client numbers to services."""
    actor = request.membership
    require(request, policies.can_see_late_notes(actor), "notes.late")
    hours = settings_for_clinic().overdue_hours
    rows = selectors.late_notes(actor, clinic_now(), hours)
    page = window(rows, page_number(request.GET.get("page")), PAGE_SIZE)
    for row in page:
        row["action"] = _late_action(actor, row)
    sessions = sum(1 for row in page if row["r_kind"] == "session")
    detail = {"page": page.number, "sessions": sessions, "notes": len(page.rows) - sessions}
    record("note.late_viewed", request=request, detail=detail)
    context = {
        "page": page,
        "supervises": policies.can_see_cosign_queue(actor),
        "overdue_hours": hours,
        "zone": clinic_zone(),
    }
    return render(request, "notes/late.html", context)


def _late_action(actor, row) -> tuple[str, str] | None:
    """The row's link for its clinician: open their draft, or write the note (one per client, or the group's)."""
    if row["r_note"] is not None:
        if row["r_note_author"] == actor.pk:
            return ("Open draft", reverse("notes:detail", args=[row["r_note"]]))
        return None
    if row["r_clinician"] != actor.pk:
        return None
    if row["r_group"]:
        return ("Write group note", reverse("notes:group_start", args=[row["r_ref"]]))
    return ("Write note", reverse("notes:from_appointment", args=[row["r_ref"], row["r_client"]]))
