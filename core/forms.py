"""Form helpers shared by every app's views.

A view hands a submitted form to one service and shows what went wrong on the form (``submit``), or, for a
button on a page (remove, deactivate…), as a message before redirecting back (``run_button``). Every service
takes the acting person as ``actor`` and the ``request``; the form supplies the rest through ``arguments()``.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm

from core.errors import ConflictError
from core.params import whole_number

INCOMPLETE = "The form was incomplete; please try again."


def add_validation_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: beside its field when the form has one, else at the top, or
    beside the form's ``refusal_field`` when it names one (a form about one choice says there why it was refused)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(getattr(form, "refusal_field", None), error)


_REFUSED = object()


def _attempt(form: BaseForm, service: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """What ``service`` returned, or ``_REFUSED`` after showing its refusal on the form."""
    try:
        return service(*args, **kwargs)
    except ConflictError as error:
        form.add_error(None, error.message)
    except ValidationError as error:
        add_validation_errors(form, error)
    return _REFUSED


def call_service(form: BaseForm, service: Callable[..., Any], /, *args: Any, **kwargs: Any) -> bool:
    """Run a service for a valid form; on a refusal, show why on the form and return False.

    A stale version (ConflictError) goes to the top of the form; a rule's ValidationError goes beside its field.
    Views then read ``if call_service(form, services.update_x, obj, actor=..., ...): redirect``.
    """
    return _attempt(form, service, args, kwargs) is not _REFUSED


def submit(request: Any, form: Any, service: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """For a POSTed, valid form, run ``service(*args, actor=, request=, **form.arguments(), **kwargs)``.

    Returns what the service returned (the row it wrote; ``True`` if it returns nothing), or None when the form
    was not posted, is invalid, or the service refused, with the reason on the form (see ``call_service``). A view
    then reads ``if submit(request, form, services.update_x, row): flash and redirect`` and otherwise renders the
    form again.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    arguments = {"actor": request.membership, "request": request, **form.arguments(), **kwargs}
    result = _attempt(form, service, args, arguments)
    if result is _REFUSED:
        return None
    return True if result is None else result


def run_button(request: Any, service: Callable[..., Any], /, *args: Any, **kwargs: Any) -> bool:
    """Run the service behind a button (remove, resolve, deactivate…) as ``service(*args, actor=, request=, ...)``.

    The page redirects whatever happens, so a refusal (a stale version, a rule) becomes an error message instead
    of a form error. Returns whether the service ran.
    """
    try:
        service(*args, actor=request.membership, request=request, **kwargs)
    except ConflictError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        return True
    return False


def run_version_button(request: Any, service: Callable[..., Any], /, *args: Any, **kwargs: Any) -> bool:
    """``run_button`` for a row the page showed at a version: the POSTed ``version`` is the ``expected_version``."""
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, INCOMPLETE)
        return False
    return run_button(request, service, *args, **form.arguments(), **kwargs)


class DateInput(forms.DateInput):
    """The browser's date picker."""

    input_type = "date"


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, refusing an id past the database's integer range before it reaches a ``pk__in`` query
    (SQLite raises OverflowError there rather than finding nothing)."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            if isinstance(pk, str) and whole_number(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)  # type: ignore[misc]  # private in the stubs, stable in Django


class NumberCheckboxes(forms.TypedMultipleChoiceField):
    """Optional checkboxes whose values are whole numbers (days of the week, hours before an appointment)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, required=False, **kwargs)


class ActionForm(forms.Form):
    """A form for one action (add to the care team, revoke, mark in error…) whose fields are named after the
    service's keyword arguments, so ``arguments()`` is all ``submit`` needs."""

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class VersionForm(ActionForm):
    """The version a page was rendered with, alone for buttons that change a row (deactivate, remove…) or with the
    fields of an action on it: ``arguments()`` passes it as the ``expected_version``."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def arguments(self) -> dict:
        data = super().arguments()
        data["expected_version"] = data.pop("version")
        return data


class DataForm(forms.Form):
    """A form for a new record whose every field is one of the record's fields: the service takes them as ``data``."""

    def arguments(self) -> dict:
        return {"data": dict(self.cleaned_data)}


class VersionedForm(forms.ModelForm):
    """A model form that sends back the version it was rendered with (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "version"}

    def arguments(self) -> dict:
        """A new row's fields as ``data`` (``Meta.fields``, the service's list); for an existing row, the version
        the form was rendered with and the ``changes``."""
        if self.instance.pk is None:
            return {"data": {name: self.cleaned_data[name] for name in self._meta.fields or ()}}
        return {"expected_version": self.cleaned_data.get("version") or 0, "changes": self.changes()}
