"""The four screens of a clinic list (see ``services``): the list, add, edit and the deactivate/reactivate button.

Each feature describes its list once (``ClinicListViews``) and takes the views from ``views()``. Its app holds
the templates ``<app>/<noun>s.html`` (the items as ``<noun>s``) and ``<app>/<noun>_form.html`` (the form, a
heading and, when editing, the item as ``<noun>``; ``clinic_lists/item_form.html`` lays it out, given the save
button's label and the cancel link), and names the list page ``<app>:<noun>s``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.authz import get_for_clinic_or_404, require
from core.clinic_lists import services
from core.forms import VersionedForm, run_version_button, submit


@dataclass(frozen=True)
class ClinicListViews:
    """The screens of one list: who may use them (``allowed(membership)``, refused as ``permission``)."""

    kind: services.ClinicList
    form_class: type[VersionedForm]
    allowed: Callable[..., bool]
    permission: str
    app: str

    @property
    def list_url(self) -> str:
        return f"{self.app}:{self.kind.noun}s"

    def views(self) -> tuple[Callable, Callable, Callable, Callable]:
        """The list, add, edit and set-active views, in that order, each for signed-in staff."""
        return (
            login_required(self._list),
            login_required(self._add),
            login_required(self._edit),
            login_required(require_POST(self._set_active)),
        )

    def _require(self, request: Any) -> None:
        require(request, self.allowed(request.membership), self.permission)

    def _item(self, request: Any, pk: int) -> Any:
        return get_for_clinic_or_404(request, self.kind.model.objects.all(), self.permission, pk)

    def _list(self, request: Any) -> HttpResponse:
        self._require(request)
        rows = self.kind.model.objects.order_by("-is_active", "name")
        return render(request, f"{self.app}/{self.kind.noun}s.html", {f"{self.kind.noun}s": rows})

    def _add(self, request: Any) -> HttpResponse:
        self._require(request)
        form = self.form_class(request.POST or None)
        if item := submit(request, form, services.create_item, self.kind):
            messages.success(request, f"{self.kind.noun.capitalize()} {item.name} added.")
            return redirect(self.list_url)
        return self._form_page(request, {"form": form, "heading": f"Add a {self.kind.noun}"})

    def _edit(self, request: Any, pk: int) -> Any:
        self._require(request)
        item = self._item(request, pk)
        form = self.form_class(request.POST or None, instance=item)
        if submit(request, form, services.update_item, self.kind, item):
            messages.success(request, f"{self.kind.noun.capitalize()} saved.")
            return redirect(self.list_url)
        return self._form_page(request, {"form": form, self.kind.noun: item, "heading": f"Edit {item.name}"})

    def _form_page(self, request: Any, context: dict) -> HttpResponse:
        return render(request, f"{self.app}/{self.kind.noun}_form.html", context)

    def _set_active(self, request: Any, pk: int) -> Any:
        self._require(request)
        item = self._item(request, pk)
        active = request.POST.get("active") == "1"
        if run_version_button(request, services.set_item_active, self.kind, item, active=active):
            noun, done = self.kind.noun.capitalize(), "reactivated" if active else "deactivated"
            messages.success(request, f"{noun} {item.name} {done}.")
        return redirect(self.list_url)
