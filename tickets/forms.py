from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from accounts.people.models import Membership
from core import uploads
from core.clinic_time import clinic_today
from core.forms import DateInput
from tickets import phi, policies, selectors
from tickets.models import Priority, Status, response_target

SELF = "self"
DESCRIPTION_HELP = (
    "PHI is allowed here; only people who can see the ticket read it. Say which part of Hearth (module), the "
    "client number and date of service if it concerns a client, and the steps that led to the problem."
)


def priority_choices() -> list[tuple[int, str]]:
    return [(value, f"{label} — {response_target(value)}") for value, label in reversed(Priority.choices)]


def staff_choices(staff, *, keep: Membership | None = None) -> list[tuple[str, str]]:
    """The assignee pick list: ``[self]`` first, then active staff by name (the current assignee even if since
    deactivated, so an unrelated edit does not fail)."""
    choices = [(SELF, "[self]")]
    members = list(staff)
    if keep is not None and all(m.pk != keep.pk for m in members):
        members.append(keep)
    for member in members:
        label = member.user.full_name + (f" — {member.title}" if member.title else "")
        choices.append((str(member.pk), label))
    return choices


# Screenshots and PDFs: what a support question needs, and what every browser can show.
ATTACHMENT_KINDS = (uploads.PDF, uploads.PNG, uploads.JPEG, uploads.WEBP)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to ``HEARTH_TICKET_ATTACHMENTS_PER_FORM`` files, each checked by ``core.uploads.check_upload``
    (content, not name; size); cleans to a list of ``CheckedUpload``. A refusal names the file and the reason."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Attach screenshots or PDFs (optional)")
        super().__init__(**kwargs)
        limit = settings.HEARTH_TICKET_ATTACHMENT_MAX_BYTES
        count = settings.HEARTH_TICKET_ATTACHMENTS_PER_FORM
        self.help_text = (
            f"{uploads.allowed_types_text(ATTACHMENT_KINDS)}; up to {count} files of {filesizeformat(limit)} each. "
            "Only people who may see this ticket can open them."
        )
        self.widget.attrs.update({"accept": uploads.accept_attribute(ATTACHMENT_KINDS), "data-max-bytes": str(limit)})

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        count = settings.HEARTH_TICKET_ATTACHMENTS_PER_FORM
        if len(files) > count:
            raise ValidationError(f"Attach at most {count} files at a time.", code="too_many")
        checked, errors = [], []
        for upload in files:
            try:
                checked.append(
                    uploads.check_upload(
                        upload, kinds=ATTACHMENT_KINDS, max_bytes=settings.HEARTH_TICKET_ATTACHMENT_MAX_BYTES
                    )
                )
            except ValidationError as error:
                name = uploads.display_filename(upload.name)
                errors.extend(ValidationError(f"{name}: {message}", code=error.code) for message in error.messages)
        if errors:
            raise ValidationError(errors)
        return checked

    def has_changed(self, initial, data) -> bool:
        return bool(data)


class TicketFieldsMixin:
    """Field checks shared by the new-ticket and edit forms (the services check the same rules again)."""

    actor: Membership

    def _init_common(self, actor: Membership, organization) -> None:
        self.actor = actor
        self.today = clinic_today(organization)
        self.fields["title"].help_text = phi.TITLE_GUIDANCE
        self.fields["title"].widget.attrs.update({"autocomplete": "off", "maxlength": 150})
        self.fields["description"].help_text = DESCRIPTION_HELP
        self.fields["date_due"].widget.attrs["min"] = self.today.isoformat()
        number = self.fields["client_number"]
        self.client_options_id = self.auto_id % "client_options"
        number.widget.attrs.update(
            {
                "list": self.client_options_id,
                "autocomplete": "off",
                "data-hx-post": reverse("tickets:client_search"),
                "data-hx-trigger": "input changed delay:300ms",
                "data-hx-target": f"#{self.client_options_id}",
                "data-hx-swap": "innerHTML",
            }
        )
        assignee_id = self.auto_id % "assignee"
        self.fields["assignee"].widget.attrs["aria-describedby"] = f"{assignee_id}_helptext"
        if not policies.can_send_to_vendor(actor):
            self.fields.pop("send_to_vendor", None)

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if title and "title" in self.changed_data:
            try:
                phi.validate_title(title, self.today)
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from None
        return title

    def clean_date_due(self):
        date_due = self.cleaned_data.get("date_due")
        if date_due and "date_due" in self.changed_data and date_due < self.today:
            raise forms.ValidationError("The date due can't be in the past.")
        return date_due

    def clean_assignee(self):
        value = self.cleaned_data.get("assignee")
        if value == SELF:
            return self.actor
        if not value:
            return None
        member = selectors.active_staff().filter(pk=int(value)).first() or getattr(self, "current_assignee", None)
        if member is None or str(member.pk) != value:
            raise forms.ValidationError("Assign the ticket to an active staff member of this clinic.")
        return member

    def clean_client_number(self):
        from clients.access import visible_clients

        number = self.cleaned_data.get("client_number")
        if number is None:
            return None
        client = visible_clients(self.actor).filter(number=number).first()
        if client is None:
            raise forms.ValidationError(f"No client number {number} that you can see. Check the number.")
        return client


def _base_fields() -> dict:
    return {
        "title": forms.CharField(max_length=150, label="Title"),
        "priority": forms.TypedChoiceField(
            coerce=int, choices=priority_choices, widget=forms.RadioSelect, initial=Priority.MEDIUM
        ),
        "date_due": forms.DateField(required=False, widget=DateInput, label="Date due (optional)"),
        "description": forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5})),
        "client_number": forms.IntegerField(
            required=False,
            min_value=1,
            label="Client number (optional)",
            help_text="Links the ticket to a client you may see. Type a number or a name to find one.",
            widget=forms.TextInput,
        ),
        "assignee": forms.ChoiceField(
            label="Assigned to",
            error_messages={"invalid_choice": "Assign the ticket to an active staff member of this clinic."},
        ),
        "send_to_vendor": forms.BooleanField(
            required=False,
            label="Send to vendor",
            help_text="The vendor's support team sees the ticket, including its description.",
        ),
    }


class NewTicketForm(TicketFieldsMixin, forms.Form):
    opened_from = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)
    attachments = AttachmentsField()

    def __init__(self, *args, actor: Membership, organization, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in _base_fields().items():
            self.fields[name] = field
        self.order_fields(
            [
                "title",
                "priority",
                "date_due",
                "description",
                "attachments",
                "client_number",
                "assignee",
                "send_to_vendor",
            ]
        )
        self._init_common(actor, organization)
        self.fields["assignee"].choices = staff_choices(selectors.active_staff())
        self.fields["assignee"].initial = SELF

    @property
    def changed_data(self):
        return [name for name in self.fields if name != "opened_from"]


class EditTicketForm(TicketFieldsMixin, forms.Form):
    """Everything about a ticket but its thread. Fields the person may not change are shown disabled; the
    version makes a second, stale save fail with what changed instead of overwriting."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=Status.choices)

    def __init__(self, *args, actor: Membership, organization, ticket, associated: bool, **kwargs):
        initial = {
            "version": ticket.version,
            "title": ticket.title,
            "priority": ticket.priority,
            "date_due": ticket.date_due,
            "description": ticket.description,
            "client_number": ticket.client.number if ticket.client_id else None,
            "assignee": str(ticket.assignee_id) if ticket.assignee_id else "",
            "status": ticket.status,
        }
        super().__init__(*args, initial=initial, **kwargs)
        for name, field in _base_fields().items():
            self.fields[name] = field
        self.order_fields(
            [
                "title",
                "status",
                "priority",
                "date_due",
                "assignee",
                "client_number",
                "description",
                "send_to_vendor",
                "version",
            ]
        )
        self.ticket = ticket
        self.current_assignee = ticket.assignee
        self._init_common(actor, organization)
        self.fields["date_due"].widget.attrs.pop("min", None)  # an old date due may stay
        choices = staff_choices(selectors.active_staff(), keep=ticket.assignee)
        if ticket.assignee_id is None:
            choices.insert(0, ("", "[auto-assignment] Administrators"))
            self.fields["assignee"].required = False
        self.fields["assignee"].choices = choices
        # Every status is a valid value, so that a forged change reaches the policy check (403, audited); the
        # list only offers the ones this person may choose.
        allowed = policies.allowed_statuses(actor, ticket, associated=associated)
        status = self.fields["status"]
        status.required = False
        status.widget.choices = [(v, label) for v, label in Status.choices if v in allowed]
        if len(allowed) == 1:
            status.widget.attrs["disabled"] = True
            status.help_text = "Only the creator, the assignee and administrators change the status."
        can_edit = policies.can_edit_ticket(actor, ticket)
        if not can_edit:
            for name in ("title", "priority", "date_due", "description", "client_number", "assignee"):
                self.fields[name].disabled = True
        if "send_to_vendor" in self.fields and not policies.can_send_to_vendor(actor, ticket, associated=associated):
            self.fields.pop("send_to_vendor")
        self.can_save = can_edit or len(allowed) > 1 or "send_to_vendor" in self.fields

    def clean_status(self):
        return self.cleaned_data.get("status") or self.ticket.status

    def changes(self) -> dict:
        """The fields the person changed, by the service's names."""
        result = {}
        for name in self.changed_data:
            if name == "version" or self.fields[name].disabled:
                continue
            value = self.cleaned_data.get(name)
            if name == "client_number":
                result["client"] = value
            elif name == "assignee":
                if value is not None and value.pk != self.ticket.assignee_id:
                    result["assignee"] = value
            elif name == "send_to_vendor":
                if value:
                    result["send_to_vendor"] = True
            else:
                result[name] = value
        return result


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Add a comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="PHI is allowed here. People following the ticket are told there is a new comment, not what it says.",
    )
    attachments = AttachmentsField()

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("attachments") and not self.has_error("attachments"):
            self.add_error("body", "Write a comment or attach a file first.")
        return data


class AddStaffForm(forms.Form):
    member = forms.ChoiceField(label="Add staff to this ticket")

    def __init__(self, *args, exclude: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "Choose a staff member")] + [
            (str(m.pk), m.user.full_name) for m in selectors.active_staff() if m.pk not in exclude
        ]

    def clean_member(self):
        member = selectors.active_staff().filter(pk=int(self.cleaned_data["member"])).first()
        if member is None:
            raise forms.ValidationError("Choose an active staff member of this clinic.")
        return member


class TicketFilterForm(forms.Form):
    """The list filters, bound to the query string (titles hold no PHI, so searching them in the URL is safe)."""

    q = forms.CharField(required=False, max_length=100, label="Search title or number")
    status = forms.ChoiceField(
        required=False,
        choices=[("open", "Open"), ("", "Any status"), ("closed", "Complete or cancelled"), *Status.choices],
    )
    priority = forms.ChoiceField(required=False, choices=[("", "Any priority"), *reversed(Priority.choices)])
    due = forms.ChoiceField(
        required=False,
        label="Due",
        choices=[
            ("", "Any time"),
            ("overdue", "Overdue"),
            ("today", "Due today"),
            ("week", "Due within a week"),
            ("none", "No due date"),
        ],
    )
    assignee = forms.ChoiceField(required=False, label="Assigned to")

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", "Anyone"),
            ("auto", "[auto-assignment] Administrators"),
            *[(str(m.pk), m.user.full_name) for m in staff],
        ]

    def filters(self) -> dict:
        if self.is_valid():
            return self.cleaned_data
        return {"status": "open"}
