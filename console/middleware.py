"""The wall between the support console's door and the clinics' doors."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from audit.models import Outcome
from audit.services import record
from console.signin.services import SESSION_ID
from console.signin.views import locked_out_response


class ConsoleBoundaryMiddleware:
    """Keep the two doors apart, and audit anyone who tries the wrong one.

    On the support host a clinic sign-in (Django's auth session) means nothing: it is ended and audited. On a
    clinic host a vendor console session means nothing either: ended and audited in that clinic's chain.
    Cookies are per host, so this only fires for a copied or forged cookie; it is the belt to those braces.

    On the support host a django-axes lockout is answered with the console's own sign-in page: axes' lockout
    callable (``accounts.signin.lockout.locked_out_response``) calls ``request.locked_out_response`` when set.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        console = getattr(request, "vendor_console", False)
        if console:
            request.locked_out_response = locked_out_response
        if console and request.user.is_authenticated:
            record(
                "access.denied",
                request=request,
                outcome=Outcome.DENIED,
                detail={"permission": "console.clinic_session", "path": request.path[:200]},
            )
            request.session.flush()
            request.user = AnonymousUser()
        elif not console and getattr(request, "organization", None) is not None and SESSION_ID in request.session:
            record(
                "access.denied",
                request=request,
                actor_label=f"vendor staff {request.session.get(SESSION_ID)}",
                outcome=Outcome.DENIED,
                detail={"permission": "clinic.vendor_session", "path": request.path[:200]},
            )
            request.session.flush()
            request.user = AnonymousUser()
        return self.get_response(request)
