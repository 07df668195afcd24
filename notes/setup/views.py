"""Administrators' screens: the clinic's note rules and its templates."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from core.authz import get_for_clinic_or_404, require
from core.forms import submit
from notes import policies
from notes.note_templates import services as templates
from notes.note_templates.models import NoteTemplate
from notes.setup import services
from notes.setup.forms import CopyTemplateForm, NoteSettingsForm, TemplateForm


def _admin(request) -> None:
    require(request, policies.can_manage_note_setup(request.membership), "notes.setup")


@login_required
def note_settings(request):
    _admin(request)
    current = services.settings_for_clinic()
    initial = {
        "enabled_types": current.enabled_types,
        "unlock_hours": current.unlock_hours,
        "overdue_hours": current.overdue_hours,
        "version": current.version,
    }
    form = NoteSettingsForm(request.POST or None, initial=initial)
    if submit(request, form, services.save_settings, current):
        messages.success(request, "Note settings saved.")
        return redirect("notes:settings")
    return render(request, "notes/settings.html", {"form": form})


@login_required
def template_list(request):
    _admin(request)
    templates.install_shipped()
    rows = NoteTemplate.objects.order_by("name")
    return render(request, "notes/templates.html", {"templates": rows, "copy_form": CopyTemplateForm()})


@login_required
def template_copy(request, pk: int):
    _admin(request)
    source = get_for_clinic_or_404(request, NoteTemplate.objects.all(), "notes.setup", pk)
    form = CopyTemplateForm(request.POST or None, initial={"name": f"{source.name} (copy)"})
    if request.method == "POST" and form.is_valid():
        from core.forms import call_service

        if call_service(
            form,
            templates.copy_template,
            source,
            actor=request.membership,
            request=request,
            name=form.cleaned_data["name"],
        ):
            copy = NoteTemplate.objects.get(name=form.cleaned_data["name"].strip())
            messages.success(request, "Copied. Change it below; notes keep the version they were written in.")
            return redirect("notes:template_edit", pk=copy.pk)
    return render(request, "notes/template_copy.html", {"form": form, "source": source})


@login_required
def template_edit(request, pk: int):
    _admin(request)
    template = get_for_clinic_or_404(request, NoteTemplate.objects.all(), "notes.setup", pk)
    current = template.versions.get(number=template.current_number)
    initial = {
        "name": template.name,
        "description": template.description,
        "note_types": template.note_types,
        "is_active": template.is_active,
        "schema": json.dumps(current.schema, indent=2, ensure_ascii=False),
        "version": template.version,
    }
    form = TemplateForm(request.POST or None, initial=initial)
    if submit(request, form, templates.save_template, template):
        messages.success(request, "Template saved.")
        return redirect("notes:templates")
    return render(request, "notes/template_edit.html", {"form": form, "template": template, "current": current})
