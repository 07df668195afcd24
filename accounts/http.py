"""The request as the clinic's middleware leaves it, for annotations (plain ``HttpRequest`` declares none of this)."""

from django.http import HttpRequest

from accounts.people.models import Membership
from tenancy.models import Organization


class ClinicRequest(HttpRequest):
    """A request on a clinic's host. Never instantiated: Django's request carries these attributes at run time."""

    organization: Organization  # tenancy.middleware.TenantMiddleware
    membership: Membership | None  # accounts.middleware.MembershipMiddleware: None until someone signs in
    hearth_set_device_cookie: str  # only once sessions.start meets a new browser; the middleware sends the cookie
