from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    from accounts.passwords.services import days_until_expiry_reminder

    days = days_until_expiry_reminder(request.membership.user, request.organization)
    return render(request, "home.html", {"password_expiry_days": days})


def csrf_failure(request, reason: str = ""):
    """A stale or missing CSRF token: explain without detail (Django's security logger has audited it)."""
    return render(request, "403_csrf.html", status=403)


def rate_limited(request, exception=None):
    """Too many sign-in attempts from one address: a 429 page, and an audit event."""
    from audit.models import Outcome
    from audit.services import record

    record("security.rate_limited", request=request, outcome=Outcome.DENIED, detail={"path": request.path[:200]})
    response = render(request, "429.html", status=429)
    response["Retry-After"] = "600"
    return response


def welcome(request):
    """The bare domain (no clinic in the host). Under ``make run`` (base domain ``localhost``) it lists the demo
    clinics' addresses and logins, as ``make run`` prints them; elsewhere it only explains clinic addresses."""
    context = {"demo": None}
    if settings.HEARTH_BASE_DOMAIN == "localhost":
        from accounts.demo import demo_summary

        context["demo"] = demo_summary()
    return render(request, "welcome.html", context)
