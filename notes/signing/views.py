from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.mfa.services import has_mfa
from clients import tabs
from core.authz import require
from core.forms import call_service, run_version_button
from notes import policies
from notes.drafts.forms import SignForm
from notes.records.access import get_note
from notes.signing import services


@login_required
def sign(request, pk: int):
    """Confirm identity and sign. What is still missing is listed before the person types their password."""
    note, chart = get_note(request, pk, "notes.sign")
    require(request, policies.can_sign_note(request.membership, note), "notes.sign", note)
    uses_mfa = has_mfa(request.user)
    form = SignForm(request.POST or None, uses_mfa=uses_mfa, initial={"version": note.version})
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            services.sign_note,
            note,
            actor=request.membership,
            expected_version=form.cleaned_data["version"] or 0,
            request=request,
            **form.credentials(),
        )
    ):
        note.refresh_from_db()
        text = "Signed; it now waits for your supervisor's co-signature." if note.cosigner_id else "Signed."
        messages.success(request, text)
        return redirect("notes:detail", pk=note.pk)
    context = {
        "note": note,
        "form": form,
        "missing": services.missing_for_signature(note),
        "signature": request.membership.signature_name,
        "uses_mfa": uses_mfa,
    }
    status = 400 if request.method == "POST" else 200
    return tabs.render_tab(request, note.client, chart, "notes", "notes/sign.html", context, status=status)


@login_required
@require_POST
def unlock(request, pk: int):
    note, _chart = get_note(request, pk, "notes.unlock")
    require(request, note.author_id == request.membership.pk, "notes.unlock", note)
    if run_version_button(request, services.unlock_note, note):
        messages.success(request, "Unlocked: the note is a draft again. Sign it when your correction is done.")
    return redirect("notes:detail", pk=note.pk)
