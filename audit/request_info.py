"""What a request says about its caller, for the audit log, rate limits, sessions and django-axes."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address, trusting X-Forwarded-For only as far as the configured proxy hops."""
    candidate = request.META.get("REMOTE_ADDR", "")
    hops = settings.HEARTH_TRUSTED_PROXY_HOPS
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
    try:
        return ipaddress.ip_address(candidate).compressed
    except ValueError:
        return None
