"""The chart's Notes tab, the read-only note and the late-notes list."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.mfa.services import has_mfa
from clients import tabs
from core.authz import require
from core.paging import page_number, window
from notes import policies
from notes.addenda.forms import addendum_form
from notes.cosign.models import Review
from notes.records import display, selectors
from notes.records.models import Status
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
        "returned_comment": returned[-1] if returned and note.status == Status.RETURNED else "",
    }
    if context["can_add_addendum"]:
        context["addendum_form"] = addendum_form(uses_mfa, note)
    if can_review:
        from notes.drafts.forms import ReviewForm

        context["review_form"] = ReviewForm(uses_mfa=uses_mfa, initial={"version": note.version})
    return context


@login_required
def late_notes(request):
    """Overdue notes of the person, and of their supervisees for a supervisor (until the dashboard shows them)."""
    actor = request.membership
    require(request, policies.can_see_late_notes(actor), "notes.late")
    page = window(selectors.late_notes(actor, timezone.now()), page_number(request.GET.get("page")), PAGE_SIZE)
    context = {"page": page, "supervises": policies.can_see_cosign_queue(actor)}
    return render(request, "notes/late.html", context)
