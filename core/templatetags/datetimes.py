"""``{{ value|iso_datetime }}``: a ``<time datetime>`` value that HTML accepts."""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def iso_datetime(value: dt.datetime | dt.date | None) -> str:
    """ISO 8601 to the second, with the offset of the current time zone.

    Django's ``date:'c'`` keeps microseconds, and HTML's datetime syntax allows at most three digits of a
    fraction of a second, so a ``<time>`` written with it does not validate. Dates pass through as dates."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds")
    return value.isoformat()
