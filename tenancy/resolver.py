"""Map a request's host to a clinic."""

from django.conf import settings

from tenancy.models import Organization


def slug_from_host(host: str) -> str | None:
    """``demo.localhost:8000`` → ``demo``; the bare base domain or a deeper name → None."""
    hostname = host.rsplit(":", 1)[0].lower() if not host.startswith("[") else host
    suffix = f".{settings.HEARTH_BASE_DOMAIN}"
    if not hostname.endswith(suffix):
        return None
    slug = hostname[: -len(suffix)]
    if not slug or "." in slug:
        return None
    return slug


def organization_for_host(host: str) -> Organization | None:
    slug = slug_from_host(host)
    if slug is None:
        return None
    return Organization.objects.filter(slug=slug, is_active=True).first()


def clinic_url(organization: Organization, path: str = "/") -> str:
    """The absolute address of a page in a clinic, for emails and the start-up banner."""
    port = f":{settings.HEARTH_PUBLIC_PORT}" if settings.HEARTH_PUBLIC_PORT else ""
    return f"{settings.HEARTH_PUBLIC_SCHEME}://{organization.slug}.{settings.HEARTH_BASE_DOMAIN}{port}{path}"


def support_url(path: str = "/") -> str:
    """The absolute address of a page of the vendor's support console (the reserved support host)."""
    port = f":{settings.HEARTH_PUBLIC_PORT}" if settings.HEARTH_PUBLIC_PORT else ""
    return f"{settings.HEARTH_PUBLIC_SCHEME}://{settings.HEARTH_SUPPORT_SLUG}.{settings.HEARTH_BASE_DOMAIN}{port}{path}"
