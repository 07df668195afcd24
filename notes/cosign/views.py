from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.mfa.services import has_mfa
from accounts.people.models import Membership
from clients import tabs
from core.authz import get_for_clinic_or_404, require
from core.forms import call_service
from core.paging import page_number, window
from notes import policies
from notes.cosign import services
from notes.cosign.forms import SupervisionForm
from notes.cosign.models import SupervisionRule
from notes.drafts.forms import ReviewForm
from notes.records import selectors
from notes.records.access import get_note
from notes.records.views import note_context

PAGE_SIZE = 25


@login_required
def queue(request):
    """The supervisor's co-sign queue, oldest first, a page at a time."""
    actor = request.membership
    require(request, policies.can_see_cosign_queue(actor), "notes.cosign_queue")
    page = window(selectors.cosign_queue(actor), page_number(request.GET.get("page")), PAGE_SIZE)
    detail_base = reverse("notes:detail", args=[0]).removesuffix("0/")
    return render(request, "notes/queue.html", {"page": page, "detail_base": detail_base})


@login_required
@require_POST
def review(request, pk: int):
    note, chart = get_note(request, pk, "notes.review")
    actor = request.membership
    require(request, policies.can_review_note(actor, note), "notes.review", note)
    form = ReviewForm(request.POST, uses_mfa=has_mfa(request.user))
    if form.is_valid():
        data = form.cleaned_data
        version = data["version"] or 0
        if data["decision"] == "return":
            done = call_service(
                form,
                services.return_note,
                note,
                actor=actor,
                expected_version=version,
                comment=data["comment"],
                request=request,
            )
            text = "Returned to the author with your comment."
        else:
            done = call_service(
                form,
                services.cosign_note,
                note,
                actor=actor,
                expected_version=version,
                request=request,
                **form.credentials(),
            )
            text = "Co-signed."
        if done:
            messages.success(request, text)
            return redirect("notes:queue")
    context = {**note_context(request, note, chart), "review_form": form}
    return tabs.render_tab(request, note.client, chart, "notes", "notes/note.html", context, status=400)


@login_required
def supervision(request):
    """Administrators choose, per clinician, who co-signs their notes and which."""
    actor = request.membership
    require(request, policies.can_manage_note_setup(actor), "notes.setup")
    members = list(
        Membership.objects.filter(is_active=True, role_assignments__role="clinician")
        .select_related("user")
        .order_by("user__full_name")
        .distinct()
    )
    rules = {r.supervisee_id: r for r in SupervisionRule.objects.select_related("supervisor__user")}
    for member in members:
        member.rule = rules.get(member.pk)
    return render(request, "notes/supervision.html", {"members": members})


@login_required
def supervision_edit(request, membership_pk: int):
    actor = request.membership
    require(request, policies.can_manage_note_setup(actor), "notes.setup")
    supervisee = get_for_clinic_or_404(request, Membership.objects.select_related("user"), "notes.setup", membership_pk)
    rule = SupervisionRule.objects.filter(supervisee=supervisee).first()
    initial = {"supervisor": rule.supervisor_id, "mode": rule.mode, "payers": list(rule.payers.all())} if rule else {}
    form = SupervisionForm(request.POST or None, initial=initial, supervisee=supervisee)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(form, services.set_supervision, supervisee, actor=actor, request=request, **form.cleaned_data)
    ):
        messages.success(request, f"Saved co-signature for {supervisee.user.full_name}.")
        return redirect("notes:supervision")
    return render(request, "notes/supervision_edit.html", {"form": form, "supervisee": supervisee})
