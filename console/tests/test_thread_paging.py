"""A ticket's thread is paged, newest first, on the clinic's ticket page and in the vendor console: the same
queries for 3 updates as for 60, page 2 shows the older ones with their attachments, ``<time datetime>`` is
valid HTML."""

import datetime
import re
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import rls_queries
from core import uploads
from core.tests.files import png_bytes
from tenancy.context import tenant_context
from tickets import services
from tickets.models import TicketUpdate
from tickets.selectors import THREAD_PAGE_SIZE

MARKER = re.compile(r"Comment (\d{3})")
# After the ticket's own entries (created, sent to the vendor), so the numbered comments are the newest.
START = timezone.now().replace(microsecond=123456) + datetime.timedelta(days=1)


def _comments(ticket, member, n):
    """``n`` comments a minute apart, ``Comment 000`` the newest, written directly so that 60 are quick."""
    with tenant_context(ticket.organization):
        for i in range(n):
            TicketUpdate.objects.create(
                ticket=ticket,
                kind="comment",
                author=member,
                body=f"Comment {i:03d}",
                created_at=START - datetime.timedelta(minutes=i),
            )


def _shown(response) -> list[int]:
    text = response.content.decode()
    return [int(m) for m in MARKER.findall(text[text.index('id="thread-updates"') :])]


@pytest.fixture
def clinic_thread(org, admin, clinician, make_ticket, clinic_client):
    ticket = make_ticket(clinician, assignee=admin)
    return ticket, clinician, clinic_client(org, admin), f"/tickets/{ticket.pk}/"


@pytest.fixture
def console_thread(champion, vendor_staff, console_client, sent_ticket):
    return sent_ticket, champion, console_client(vendor_staff), f"/tickets/{sent_ticket.pk}/"


@pytest.fixture(params=["clinic", "console"])
def thread(request, db):
    return request.getfixturevalue(f"{request.param}_thread")


def test_the_ticket_page_costs_the_same_queries_for_3_updates_or_60(thread):
    ticket, author, client, url = thread
    client.get(url)  # the first request of a session records its last-seen time
    counts = []
    for n in (3, 57):  # 3, then 60 comments
        _comments(ticket, author, n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 17 + 2 * rls_queries(), counts


def test_page_two_shows_older_updates_with_their_attachments(thread):
    ticket, author, client, url = thread
    with tenant_context(ticket.organization):  # before the numbered comments, so it is on page 2
        checked = uploads.check_upload(SimpleUploadedFile("screen.png", png_bytes()))
        services.add_comment(ticket, actor=author, body="The screenshot", attachments=[checked])
    _comments(ticket, author, THREAD_PAGE_SIZE + 2)
    first = client.get(url)
    assert _shown(first) == list(range(THREAD_PAGE_SIZE))
    assert "screen.png" not in first.content.decode()
    assert 'href="?updates=2" rel="next"' in first.content.decode()
    second = client.get(url, {"updates": 2})
    assert _shown(second) == [THREAD_PAGE_SIZE, THREAD_PAGE_SIZE + 1]
    assert "The screenshot" in second.content.decode() and "screen.png" in second.content.decode()
    assert 'href="?updates=1" rel="prev"' in second.content.decode()
    assert _shown(client.get(url, {"updates": "²"})) == list(range(THREAD_PAGE_SIZE))


def test_thread_times_are_valid_html_datetimes_to_the_second(thread):
    ticket, author, client, url = thread
    _comments(ticket, author, 1)
    values = re.findall(r'<time datetime="([^"]+)"', client.get(url).content.decode())
    assert values and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", v) for v in values)
    assert START.astimezone(zoneinfo.ZoneInfo(ticket.organization.time_zone)).isoformat(timespec="seconds") in values
