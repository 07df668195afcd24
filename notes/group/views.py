from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from audit.services import record
from core.authz import get_for_clinic_or_404, require
from core.forms import ActionForm, VersionForm, submit
from notes import policies
from notes.group import services
from notes.group.models import GroupSession
from notes.note_templates.models import NoteTemplate, NoteType
from scheduling.appointments.models import Appointment


class StartGroupForm(ActionForm):
    title = forms.CharField(label="Group name", max_length=120, required=False)
    template = forms.ModelChoiceField(queryset=NoteTemplate.objects.none(), label="Template for each member")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [t.pk for t in NoteTemplate.objects.filter(is_active=True) if NoteType.GROUP in t.note_types]
        self.fields["template"].queryset = NoteTemplate.objects.filter(pk__in=ids)


class SharedForm(VersionForm):
    title = forms.CharField(label="Group name", max_length=120)
    shared_text = forms.CharField(
        label="What the group did",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Shown in every member's note: describe the session, never name or describe other members.",
    )


def _may_write_group(request, appointment) -> None:
    clinicians = list(appointment.clinician_links.values_list("clinician_id", flat=True))
    require(request, policies.can_write_group(request.membership, clinicians), "notes.group", appointment)


@login_required
def start(request, appointment_pk: int):
    appointment = get_for_clinic_or_404(
        request, Appointment.objects.select_related("location", "appointment_type"), "notes.group", appointment_pk
    )
    _may_write_group(request, appointment)
    form = StartGroupForm(request.POST or None, initial={"title": appointment.appointment_type.name})
    if request.method == "POST" and form.is_valid():
        group = submit(request, form, services.start_group, appointment)
        if group:
            return redirect("notes:group", pk=group.pk)
    return render(request, "notes/group_start.html", {"form": form, "appointment": appointment})


@login_required
def group_page(request, pk: int):
    """The author's page for a group session: the shared part and a link to each member's note."""
    group = get_for_clinic_or_404(request, GroupSession.objects.all(), "notes.group", pk)
    require(request, group.author_id == request.membership.pk, "notes.group", group)
    form = SharedForm(
        request.POST or None, initial={"title": group.title, "shared_text": group.shared_text, "version": group.version}
    )
    if submit(request, form, services.save_shared, group):
        messages.success(request, "Shared part saved.")
        return redirect("notes:group", pk=group.pk)
    members = group.member_notes.select_related("client").order_by("client__legal_last_name", "pk")
    if request.method == "GET":
        record("group_session.viewed", request=request, target=group)
    return render(request, "notes/group.html", {"group": group, "form": form, "members": members})
