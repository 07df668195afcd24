from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse

from clients import access, tabs
from clients.policies import CLINICAL
from core.authz import require
from core.clinic_time import clinic_today
from core.forms import add_validation_errors
from notes import policies
from notes.printing import services
from notes.printing.forms import PrintForm
from notes.records.access import get_note


def _pdf(content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="clinical-notes.pdf"'  # no PHI in file names
    return response


@login_required
def print_range(request, client_pk: int):
    client, chart = access.get_chart(request, client_pk, CLINICAL)
    require(request, policies.can_print_notes(request.membership, chart.sections), "notes.print", client)
    today = clinic_today()
    form = PrintForm(request.POST or None, client=client, initial={"first": today.replace(day=1), "last": today})
    if request.method == "POST" and form.is_valid():
        try:
            content = services.print_notes(
                client,
                actor=request.membership,
                first=form.cleaned_data["first"],
                last=form.cleaned_data["last"],
                release=form.release(),
                request=request,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            return _pdf(content)
    return tabs.render_tab(request, client, chart, "notes", "notes/print_form.html", {"form": form})


@login_required
def print_one(request, pk: int):
    note, chart = get_note(request, pk, "notes.print")
    require(
        request,
        policies.can_print_notes(request.membership, chart.sections)
        and not note.is_psychotherapy
        and not note.is_editable,
        "notes.print",
        note,
    )
    return _pdf(services.print_note(note, actor=request.membership, request=request))
