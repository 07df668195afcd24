"""The clinic's clock: its time zone, and now and today there.

A clinic's day turns over at its own midnight, not UTC's: a consent signed at 9 pm in California is signed today,
a ticket completed then is completed today, and a client's age changes at the clinic's midnight. Every "today in
the clinic" comes from here. Without an explicit clinic these read the current one (``tenancy.context``), which
inside a request is ``request.organization``; outside any clinic's context (the support console, a command that
has not entered a clinic) they fall back to the project's ``TIME_ZONE``.
"""

import datetime
import zoneinfo

from django.utils import timezone

from tenancy.context import current_organization
from tenancy.models import Organization


def clinic_zone(organization: Organization | None = None) -> zoneinfo.ZoneInfo:
    """The clinic's time zone (its IANA name is ``.key``)."""
    if organization is None:
        organization = current_organization()
    if organization is None:
        return timezone.get_current_timezone()
    return zoneinfo.ZoneInfo(organization.time_zone)


def clinic_now(organization: Organization | None = None) -> datetime.datetime:
    """Now, as an aware datetime in the clinic's time zone."""
    return timezone.localtime(timezone=clinic_zone(organization))


def clinic_today(organization: Organization | None = None) -> datetime.date:
    """Today's date where the clinic is."""
    return today_in(clinic_zone(organization))


def today_in(zone: str | datetime.tzinfo) -> datetime.date:
    """Today's date in ``zone``, a tzinfo or an IANA name (the calendar's reader may choose another zone)."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(zone) if isinstance(zone, str) else zone)
