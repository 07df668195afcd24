from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.module_loading import import_string

from tenancy.context import tenant_context
from tenancy.resolver import organization_for_host, slug_from_host


class TenantMiddleware:
    """Resolve the clinic from the host and run the rest of the request inside its tenant context.

    An unknown host gets a friendly 404 page and never reaches a view, so no view can serve another clinic's
    data by accident. The bare domain answers with ``HEARTH_WELCOME_VIEW`` (set by the project, which may list the
    demo clinics: this app knows nothing of them). ``/healthz`` answers on any allowed host for load balancers.

    The reserved ``support.`` host is the vendor's support console: it runs with no clinic in context and its own
    URLconf (``HEARTH_SUPPORT_URLCONF``), so no clinic page exists there and no console page exists on a clinic.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        host = request.get_host()  # raises DisallowedHost (400, audited) for a forged host header
        if request.path == "/healthz":
            return self._health()
        slug = slug_from_host(host)
        if slug == settings.HEARTH_SUPPORT_SLUG:
            request.organization = None
            request.vendor_console = True
            request.urlconf = settings.HEARTH_SUPPORT_URLCONF
            return self.get_response(request)
        organization = organization_for_host(host)
        request.organization = organization
        if organization is None:
            return self._no_clinic(request, unknown=slug_from_host(host) is not None)
        with tenant_context(organization):
            return self.get_response(request)

    def _health(self) -> HttpResponse:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        return HttpResponse("ok", content_type="text/plain")

    def _no_clinic(self, request: HttpRequest, *, unknown: bool) -> HttpResponse:
        welcome = getattr(settings, "HEARTH_WELCOME_VIEW", "")
        if not unknown and welcome:
            return import_string(welcome)(request)
        response = TemplateResponse(
            request, "tenancy/no_clinic.html", {"unknown": unknown}, status=404 if unknown else 200
        )
        return response.render()
