from django.conf import settings
from django.urls import reverse

from accounts.sessions import services as sessions
from core import registry


def navigation(request) -> dict:
    """The main menu: the registered entries (``core.registry.navigation``) the signed-in person's roles allow."""
    membership = getattr(request, "membership", None)
    items = []
    if membership is not None:
        path = request.path
        for link in registry.links_for(registry.navigation, membership):
            url = reverse(link.url_name)
            current = path == url if url == "/" else path.startswith(url)
            items.append({"label": link.label, "url": url, "current": current})
    return {
        "nav_items": items,
        "organization": getattr(request, "organization", None),
        "base_domain": settings.HEARTH_BASE_DOMAIN,
        "idle_seconds": sessions.idle_seconds_left(request, membership.organization) if membership else 0,
    }
