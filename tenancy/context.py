"""The clinic the current request or task acts for.

A context variable (not a thread-local) so that it follows asgiref's sync/async hops within one request.
``tenant_context`` is the only way to set it; it also tells PostgreSQL, so row-level security agrees with the ORM.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tenancy.models import Organization

_current: ContextVar[Organization | None] = ContextVar("hearth_organization", default=None)


class NoTenantError(RuntimeError):
    """Tenant-owned data was touched with no clinic in context."""


def current_organization() -> Organization | None:
    return _current.get()


def require_organization() -> Organization:
    """The clinic in context, for code that only ever runs inside one (services, tasks)."""
    organization = _current.get()
    if organization is None:
        raise NoTenantError("No clinic in context.")
    return organization


@contextmanager
def tenant_context(organization: Organization) -> Iterator[Organization]:
    """Act for ``organization`` inside the block; nested blocks restore the outer clinic on exit."""
    from tenancy import rls

    previous = _current.get()
    token = _current.set(organization)
    rls.activate(organization.pk)
    try:
        yield organization
    finally:
        _current.reset(token)
        if previous is None:
            rls.deactivate()
        else:
            rls.activate(previous.pk)


@contextmanager
def vendor_console_context() -> Iterator[None]:
    """Read across clinics for the vendor's support console, as the restricted request role: row-level security
    then shows only what models allow the console (``rls_cross_clinic_select``: tickets sent to the vendor) and
    nothing else of any clinic. Never nested in a clinic's context, nor a clinic's context in it."""
    from tenancy import rls

    if _current.get() is not None:
        raise RuntimeError("vendor_console_context inside a clinic's context")
    rls.activate_vendor_console()
    try:
        yield
    finally:
        rls.deactivate()
