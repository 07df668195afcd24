from django.conf import settings
from django.urls import reverse

from accounts import policies
from accounts.sessions import services as sessions
from reports import policies as audit_policies
from scheduling import policies as scheduling_policies
from tickets import policies as ticket_policies


def navigation(request) -> dict:
    """Navigation entries the signed-in person's roles allow; each entry asks the owning app's policy."""
    membership = getattr(request, "membership", None)
    items = []
    if membership is not None:
        candidates = [
            ("Home", "home", True),
            ("Clients", "clients:list", True),
            ("Schedule", "scheduling:calendar", scheduling_policies.can_view_calendar(membership)),
            ("Tickets", "tickets:list", ticket_policies.can_use_tickets(membership)),
            ("Staff", "accounts:staff_list", policies.can_view_staff(membership)),
            ("Clinic settings", "accounts:clinic_settings", policies.can_edit_clinic_settings(membership)),
            ("Sign-ins", "accounts:clinic_sign_ins", policies.can_view_sign_in_history(membership)),
            ("Single sign-on", "accounts:sso_settings", policies.can_configure_sso(membership)),
            ("Audit log", "audit:report", audit_policies.can_view_audit_report(membership)),
        ]
        path = request.path
        for label, name, allowed in candidates:
            if allowed:
                url = reverse(name)
                current = path == url if url == "/" else path.startswith(url)
                items.append({"label": label, "url": url, "current": current})
    return {
        "nav_items": items,
        "organization": getattr(request, "organization", None),
        "base_domain": settings.HEARTH_BASE_DOMAIN,
        "idle_seconds": sessions.idle_seconds_left(request, membership.organization) if membership else 0,
    }
