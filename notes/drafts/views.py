"""Starting a note (from the chart or an appointment), the draft page and its autosave."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from clients import access, tabs
from clients.policies import CLINICAL
from clients.records.models import Client
from core.authz import get_for_clinic_or_404, require
from core.errors import ConflictError
from core.forms import add_validation_errors
from notes import policies
from notes.drafts import services
from notes.drafts.forms import NewNoteForm, SessionForm, SignForm, raw_answers
from notes.records import display
from notes.records.access import get_note
from notes.setup.services import settings_for_clinic
from scheduling.appointments.models import Appointment


def _writable_chart(request, client_pk):
    client, chart = access.get_chart(request, client_pk, CLINICAL)
    require(request, policies.can_write_notes(request.membership, chart.sections), "notes.write", client)
    return client, chart


def _start(request, client, chart, form, appointment=None):
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        session = services.session_of(appointment) if appointment else form.session()
        try:
            note = services.start_note(
                client,
                actor=request.membership,
                note_type=data["note_type"],
                template=data["template"],
                session=session if not appointment else _with_attendance(session, data["attendance"]),
                appointment=appointment,
                request=request,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            return redirect("notes:detail", pk=note.pk)
    context = {"form": form, "appointment": appointment}
    return tabs.render_tab(request, client, chart, "notes", "notes/new.html", context)


def _with_attendance(session, attendance):
    """The appointment's facts, with the attendance the clinician chose (a no-show marked only now)."""
    if attendance and attendance != "attended":
        session.attendance = attendance
    return session


@login_required
def new_note(request, client_pk: int):
    client, chart = _writable_chart(request, client_pk)
    enabled = settings_for_clinic().enabled_types
    initial = {"service_date": timezone.localdate(), "contact_kind": "phone", "note_type": "contact"}
    form = NewNoteForm(request.POST or None, enabled_types=enabled, initial=initial)
    return _start(request, client, chart, form)


@login_required
def from_appointment(request, appointment_pk: int, client_pk: int):
    """ "Write note" on a calendar event: the session facts come from the appointment."""
    appointment = get_for_clinic_or_404(
        request, Appointment.objects.select_related("location", "appointment_type"), "notes.write", appointment_pk
    )
    client = get_for_clinic_or_404(
        request, Client.objects.filter(appointment_links__appointment=appointment), "notes.write", client_pk
    )
    client, chart = _writable_chart(request, client.pk)
    session = services.session_of(appointment)
    enabled = settings_for_clinic().enabled_types
    initial = {**session.as_fields(), "note_type": "progress" if "progress" in enabled else enabled[0]}
    form = NewNoteForm(request.POST or None, enabled_types=enabled, initial=initial)
    for name in ("service_date", "start_time", "end_time", "duration_minutes", "place_of_service", "telehealth"):
        form.fields[name].disabled = True
    form.fields["contact_kind"].disabled = True
    return _start(request, client, chart, form, appointment)


def _note_page(request, note, chart, *, session_form=None, errors=None, answers=None, status=200):
    """The note: the draft form for its author while editable, else the signed note with addenda."""
    from notes.records.views import note_context

    actor = request.membership
    editable = policies.can_edit_note(actor, note)
    context = note_context(request, note, chart)
    if editable:
        context.update(
            {
                "editable": True,
                "session_form": session_form or SessionForm(initial=_session_initial(note), prefix="s"),
                "sections": display.sections(
                    note.template_version.schema if note.template_version else None,
                    answers if answers is not None else note.answers,
                    errors,
                ),
                "sign_form": SignForm(uses_mfa=context["uses_mfa"], initial={"version": note.version}),
            }
        )
    return tabs.render_tab(request, note.client, chart, "notes", "notes/note.html", context, status=status)


def _session_initial(note) -> dict:
    return {name: getattr(note, name) for name in services.SESSION_FIELDS}


@login_required
def note_detail(request, pk: int):
    note, chart = get_note(request, pk)
    return _note_page(request, note, chart)


def _save(request, note):
    """Parse the draft form and save it; returns (note, session_form, errors) with errors by field."""
    session_form = SessionForm(request.POST, prefix="s")
    if not session_form.is_valid():
        return None, session_form, {}
    answers = raw_answers(note.template_version.schema, request.POST) if note.template_version else {}
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    saved = services.save_draft(
        note,
        actor=request.membership,
        expected_version=version,
        answers=answers,
        session=session_form.session(),
        autosave=request.path.endswith("/autosave/"),
        request=request,
    )
    return saved, session_form, {}


def _field_errors(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {field: " ".join(messages) for field, messages in error.message_dict.items()}
    return {"__all__": " ".join(error.messages)}


@login_required
@require_POST
def save_note(request, pk: int):
    """The form's Save button (without JavaScript, or to save and leave)."""
    note, chart = get_note(request, pk, "notes.edit")
    require(request, note.author_id == request.membership.pk, "notes.edit", note)
    try:
        saved, session_form, _ = _save(request, note)
    except ConflictError as error:
        return _refused(request, note, chart, [error.message], status=409)
    except ValidationError as error:
        errors = _field_errors(error)
        session_form = SessionForm(request.POST, prefix="s")
        session_form.is_valid()
        for field in ("service_date", "end_time", "attendance"):
            if field in errors:
                session_form.add_error(field, errors.pop(field))
        general = [errors.pop("__all__")] if "__all__" in errors else []
        answers = raw_answers(note.template_version.schema, request.POST) if note.template_version else {}
        return _refused(request, note, chart, general, session_form=session_form, errors=errors, answers=answers)
    if saved is None:
        return _refused(request, note, chart, [], session_form=session_form)
    if "sign" in request.POST:
        return redirect("notes:sign", pk=note.pk)
    return (
        tabs.back_to_tab(request, note.client_id, "notes", "Draft saved.")
        if "leave" in request.POST
        else (redirect("notes:detail", pk=note.pk))
    )


def _refused(request, note, chart, general, status=400, **kwargs):
    from django.contrib import messages

    for message in general:
        messages.error(request, message)
    if not note.is_editable:
        return _note_page(request, note, chart, status=status)
    return _note_page(request, note, chart, status=status, **kwargs)


@login_required
@require_POST
def autosave(request, pk: int):
    """The draft page's background save: JSON for ``static/notes/autosave.js``."""
    note, _chart = get_note(request, pk, "notes.edit", audit_read=False)
    require(request, note.author_id == request.membership.pk, "notes.edit", note)
    try:
        saved, session_form, _ = _save(request, note)
    except ConflictError as error:
        return JsonResponse({"saved": False, "message": error.message}, status=409)
    except ValidationError as error:
        errors = _field_errors(error)
        message = errors.pop("__all__", "Not saved: correct the marked answers.")
        return JsonResponse({"saved": False, "message": message, "errors": errors}, status=422)
    if saved is None:
        errors = {name: " ".join(msgs) for name, msgs in session_form.errors.items()}
        return JsonResponse(
            {"saved": False, "message": "Not saved: correct the marked answers.", "errors": errors}, status=422
        )
    return JsonResponse({"saved": True, "version": saved.version, "status": saved_text(saved, request)})


def saved_text(note, request) -> str:
    """What the draft page shows after a save (the saver is the person asking: only the author saves)."""
    from core.clinic_time import clinic_zone

    when = note.last_saved_at.astimezone(clinic_zone(request.organization))
    return f"Last saved by {request.user.full_name} at {when:%H:%M:%S}"
