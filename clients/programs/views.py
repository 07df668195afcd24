from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clients import policies
from clients.programs import services as programs
from clients.programs.forms import ProgramForm
from clients.programs.models import Program
from core.authz import get_for_clinic_or_404, require
from core.errors import ConflictError
from core.forms import VersionOnlyForm, add_validation_errors, call_service


def _require_programs(request):
    require(request, policies.can_manage_programs(request.membership), "clients.programs")


@login_required
def program_list(request):
    _require_programs(request)
    return render(request, "clients/programs.html", {"programs": Program.objects.order_by("-is_active", "name")})


@login_required
def program_add(request):
    _require_programs(request)
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in programs.PROGRAM_FIELDS}
        try:
            program = programs.create_program(actor=request.membership, data=data, request=request)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Program {program.name} added.")
            return redirect("clients:programs")
    return render(request, "clients/program_form.html", {"form": form, "heading": "Add a program"})


@login_required
def program_edit(request, program_pk: int):
    _require_programs(request)
    program = get_for_clinic_or_404(request, Program.objects.all(), "clients.programs", program_pk)
    form = ProgramForm(request.POST or None, instance=program)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            programs.update_program,
            program,
            actor=request.membership,
            expected_version=form.cleaned_data.get("version") or 0,
            changes=form.changes(),
            request=request,
        )
    ):
        messages.success(request, "Program saved.")
        return redirect("clients:programs")
    context = {"form": form, "program": program, "heading": f"Edit {program.name}"}
    return render(request, "clients/program_form.html", context)


@login_required
@require_POST
def program_set_active(request, program_pk: int):
    _require_programs(request)
    program = get_for_clinic_or_404(request, Program.objects.all(), "clients.programs", program_pk)
    form = VersionOnlyForm(request.POST)
    active = request.POST.get("active") == "1"
    if not form.is_valid():
        messages.error(request, "The form was incomplete; please try again.")
        return redirect("clients:programs")
    try:
        programs.set_program_active(
            program,
            actor=request.membership,
            expected_version=form.cleaned_data["version"],
            active=active,
            request=request,
        )
    except ConflictError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Program {program.name} {'reactivated' if active else 'deactivated'}.")
    return redirect("clients:programs")
