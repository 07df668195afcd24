"""``iso_datetime``: ``<time datetime>`` values HTML accepts (whole seconds, an offset), in the current zone."""

import datetime as dt
import zoneinfo

from django.template import Context, Template
from django.utils import timezone

from core.templatetags.datetimes import iso_datetime

INSTANT = dt.datetime(2026, 3, 8, 6, 5, 9, 654321, tzinfo=dt.UTC)  # 1:05:09 EST; clocks go forward at 2:00


def test_an_aware_datetime_is_written_to_the_second_in_the_current_zone():
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        assert iso_datetime(INSTANT) == "2026-03-08T01:05:09-05:00"
        assert iso_datetime(INSTANT + dt.timedelta(hours=1)) == "2026-03-08T03:05:09-04:00"


def test_the_template_timezone_tag_decides_the_offset():
    html = Template(
        '{% load tz datetimes %}{% timezone "Asia/Kolkata" %}<time datetime="{{ at|iso_datetime }}">{% endtimezone %}'
    ).render(Context({"at": INSTANT}))
    assert html == '<time datetime="2026-03-08T11:35:09+05:30">'


def test_dates_pass_through_and_nothing_is_empty():
    assert iso_datetime(dt.date(2026, 3, 8)) == "2026-03-08"
    assert iso_datetime(None) == "" and iso_datetime("") == ""
    assert iso_datetime(dt.datetime(2026, 3, 8, 9, 0, 0, 1)) == "2026-03-08T09:00:00"  # naive: no offset invented
