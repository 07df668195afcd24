"""Form helpers shared by every app's views."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseForm

from core.errors import ConflictError


def add_validation_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: beside its field when the form has one, else at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def call_service(form: BaseForm, service: Callable[..., Any], /, *args: Any, **kwargs: Any) -> bool:
    """Run a service for a valid form; on a refusal, show why on the form and return False.

    A stale version (ConflictError) goes to the top of the form; a rule's ValidationError goes beside its field.
    Views then read ``if call_service(form, services.update_x, obj, actor=..., ...): redirect``.
    """
    try:
        service(*args, **kwargs)
    except ConflictError as error:
        form.add_error(None, error.message)
    except ValidationError as error:
        add_validation_errors(form, error)
    else:
        return True
    return False


class DateInput(forms.DateInput):
    """The browser's date picker."""

    input_type = "date"


class VersionForm(forms.Form):
    """Only the version a page was rendered with, for buttons that change a row (deactivate, remove…)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionedForm(forms.ModelForm):
    """A model form that sends back the version it was rendered with (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "version"}
