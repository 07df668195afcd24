"""Appointments that cross midnight in the reader's time zone: drawn on both days of the time grids and of the
week table, the continuation from the top of the next day and not draggable; month and list show them once."""

import re
from html import unescape

import pytest

from conftest import rls_queries
from scheduling.tests.conftest import local


@pytest.fixture
def jordan(org, clinician, make_chart_client):
    return make_chart_client(org, "Jordan", "Rivers", primary=clinician)


def _page(client, **query) -> str:
    response = client.get("/schedule/", query)
    assert response.status_code == 200
    return unescape(response.content.decode())


def _columns(text: str) -> dict[str, str]:
    """The time grid's columns by date (a day view of several clinicians has one per clinician)."""
    found = re.findall(r'<div class="cal-slots h-(\d+)" data-date="([\d-]+)"[^>]*>(.*?)</div></section>', text)
    return {date: body for _, date, body in found}


def _events(markup: str) -> list[str]:
    return re.findall(r"<a [^>]*>.*?</a>", markup)


def _rows(event: str) -> tuple[int, int]:
    row, span = re.search(r"\br-(\d+) s-(\d+)\b", event).groups()
    return int(row), int(span)


def test_the_week_grid_draws_an_appointment_from_23_to_01_on_both_days(
    org, book, jordan, clinician, front_desk, clinic_client
):
    booking = book(front_desk, local(2026, 3, 10, 23), clients=[jordan], clinicians=[clinician], duration=120)
    pk = booking.appointments[0].pk
    text = _page(clinic_client(org, front_desk), view="week", date="2026-03-10", c=clinician.pk)
    assert 'class="cal-slots h-24"' in text  # widened to the whole day: both parts fit
    columns = _columns(text)
    [first] = _events(columns["2026-03-10"])
    [rest] = _events(columns["2026-03-11"])
    assert "23:00–01:00" in first and "Continued" not in first and "data-editable" in first
    assert _rows(first) == (23 * 12 + 1, 12)  # 23:00, clipped at midnight: the last row of the day
    assert "Jordan Rivers" in rest and "Continued from Tue Mar 10" in rest and " continued " in rest
    assert _rows(rest) == (1, 12)  # from the top of the grid until 01:00
    assert f'href="/schedule/appointments/{pk}/"' in rest
    assert "data-editable" not in rest and "data-start" not in rest and "resize" not in rest
    assert all(not _events(body) for date, body in columns.items() if date not in ("2026-03-10", "2026-03-11"))


def test_the_day_views_show_each_part(org, book, jordan, clinician, supervisor, front_desk, clinic_client):
    book(front_desk, local(2026, 3, 10, 23), clients=[jordan], clinicians=[clinician], duration=120)
    client = clinic_client(org, front_desk)
    monday = _events(_columns(_page(client, view="day", date="2026-03-10", c=clinician.pk))["2026-03-10"])
    assert len(monday) == 1 and "Continued" not in monday[0]
    tuesday = _page(client, view="day", date="2026-03-11", c=clinician.pk)
    [rest] = _events(_columns(tuesday)["2026-03-11"])
    assert "Continued from Tue Mar 10" in rest and _rows(rest) == (1, 12)
    # The grid shows from midnight because of it, not from 07:00.
    assert '<span class="hour">00:00</span>' in tuesday
    # Several clinicians side by side: the continuation is in its clinician's column only.
    both = _page(client, view="day", date="2026-03-11", c=[clinician.pk, supervisor.pk])
    sections = re.findall(r'<section class="cal-column" aria-label="([^"]+)">(.*?)</section>', both)
    assert [(label, "Continued" in body) for label, body in sections] == [
        ("Carol Clinician", True),
        ("Sue Supervisor", False),
    ]


def test_the_week_table_of_several_clinicians_shows_the_continuation(
    org, book, jordan, clinician, supervisor, front_desk, clinic_client
):
    book(front_desk, local(2026, 3, 10, 23), clients=[jordan], clinicians=[clinician], duration=120)
    text = _page(clinic_client(org, front_desk), view="week", date="2026-03-10", c=[clinician.pk, supervisor.pk])
    cell = rf'<td class="cal-cell" data-date="([\d-]+)" data-clinician="{clinician.pk}">(.*?)</td>'
    cells = dict(re.findall(cell, text))
    assert "23:00–01:00" in cells["2026-03-10"] and "Continued" not in cells["2026-03-10"]
    assert "Continued from Tue Mar 10" in cells["2026-03-11"] and "data-editable" not in cells["2026-03-11"]
    assert "Jordan" not in cells["2026-03-12"]


def test_a_reader_in_another_zone_sees_the_split_at_their_midnight(
    org, book, jordan, clinician, front_desk, clinic_client
):
    # 19:00 to 21:00 in New York (UTC-4 after March 8) is 23:00 to 01:00 in London (still UTC+0 until March 29).
    book(front_desk, local(2026, 3, 10, 19), clients=[jordan], clinicians=[clinician], duration=120)
    query = {"view": "week", "date": "2026-03-10", "c": clinician.pk}
    here = _columns(_page(clinic_client(org, front_desk), **query))
    assert "19:00–21:00" in here["2026-03-10"] and not _events(here["2026-03-11"])
    reader = clinic_client(org, clinician)
    assert reader.post("/schedule/preferences/", {"time_zone": "Europe/London"}).status_code == 302
    there = _columns(_page(reader, **query))
    assert "23:00–01:00" in there["2026-03-10"] and "Continued" not in there["2026-03-10"]
    assert "Continued from Tue Mar 10" in there["2026-03-11"]
    assert "Continued from Tue Mar 10" in _columns(_page(reader, view="day", date="2026-03-11"))["2026-03-11"]


@pytest.mark.dated
def test_one_from_the_sunday_before_continues_at_the_top_of_monday(
    org, book, jordan, clinician, front_desk, clinic_client
):
    book(front_desk, local(2026, 3, 15, 21), clients=[jordan], clinicians=[clinician], duration=8 * 60)
    columns = _columns(_page(clinic_client(org, front_desk), view="week", date="2026-03-16", c=clinician.pk))
    [rest] = _events(columns["2026-03-16"])
    assert "Continued from Sun Mar 15" in rest and _rows(rest) == (1, 5 * 12)


def test_month_and_list_show_a_midnight_appointment_once(org, book, jordan, clinician, front_desk, clinic_client):
    book(front_desk, local(2026, 3, 10, 23), clients=[jordan], clinicians=[clinician], duration=120)
    client = clinic_client(org, front_desk)
    month = _page(client, view="month", date="2026-03-10", c=clinician.pk)
    assert month.count('<span class="event-time">23:00–01:00</span>') == 1 and "Continued" not in month
    cell = re.search(r'data-date="2026-03-10">(.*?)</td>', month, re.S).group(1)
    assert "23:00–01:00" in cell
    listed = _page(client, view="list", date="2026-03-10", c=clinician.pk)
    assert listed.count("23:00–01:00</td>") == 1 and "Tue Mar 10, 23:00–01:00" in listed and "Continued" not in listed


def test_an_evening_appointment_on_the_same_day_widens_the_grid_rather_than_getting_lost(
    org, book, jordan, clinician, front_desk, clinic_client
):
    book(front_desk, local(2026, 3, 10, 22), clients=[jordan], clinicians=[clinician], duration=120)
    text = _page(clinic_client(org, front_desk), view="day", date="2026-03-10", c=clinician.pk)
    [event] = _events(_columns(text)["2026-03-10"])
    first_hour = int(re.search(r'data-first-hour="(\d+)"', text).group(1))
    row, span = _rows(event)
    assert first_hour == 7 and (row, span) == ((22 - 7) * 12 + 1, 24)  # 22:00 to midnight, the grid's end


@pytest.mark.parametrize("view", ["day", "week", "resource-week"])
def test_continuations_add_no_queries(
    view, org, book, make_chart_client, clinician, supervisor, front_desk, clinic_client, django_assert_max_num_queries
):
    """The same budget as ``test_calendar_views_have_a_fixed_query_count``, with every appointment past midnight."""
    for i in range(6):
        person = make_chart_client(org, f"Client{i}", "Test", primary=clinician)
        book(front_desk, local(2026, 3, 9 + i, 22), clients=[person], clinicians=[clinician], duration=180)
    query = {"view": "day" if view == "day" else "week", "date": "2026-03-11", "c": [clinician.pk]}
    if view == "resource-week":
        query["c"].append(supervisor.pk)
    client = clinic_client(org, front_desk)
    client.get("/")
    with django_assert_max_num_queries(17 + rls_queries()):
        text = _page(client, **query)
    assert "Continued from" in text
