from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_POST

from accounts.mfa.services import has_mfa
from clients import tabs
from core.authz import require
from core.forms import call_service
from notes import policies
from notes.addenda import services
from notes.addenda.forms import addendum_form
from notes.records.access import get_note
from notes.records.views import note_context


@login_required
@require_POST
def add_addendum(request, pk: int):
    note, chart = get_note(request, pk, "notes.addendum")
    require(request, policies.can_add_addendum(request.membership, note, chart.sections), "notes.addendum", note)
    form = addendum_form(has_mfa(request.user), note, request.POST)
    if form.is_valid() and call_service(
        form,
        services.add_addendum,
        note,
        actor=request.membership,
        text=form.cleaned_data["text"],
        request=request,
        **form.credentials(),
    ):
        from django.contrib import messages
        from django.shortcuts import redirect

        messages.success(request, "Addendum signed and added.")
        return redirect("notes:detail", pk=note.pk)
    context = {**note_context(request, note, chart), "addendum_form": form}
    return tabs.render_tab(request, note.client, chart, "notes", "notes/note.html", context, status=400)
