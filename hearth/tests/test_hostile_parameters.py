"""Every URL pattern of both URLconfs, with hostile query and form values: nothing answers 500 or logs an error.

An outside probe found pages that failed on an impossible date or a digit ``int()`` refuses. This walk sends, to
each route (path converters filled with real ids of the signed-in clinic's rows, and with another clinic's and
unknown ids), GET and POST requests whose parameters (the names views commonly read plus every field name the page
itself shows) carry such values, as an administrator, a clinician, anonymously and on the vendor's console.
"""

import datetime
import logging
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from clients import tabs
from clients.alerts import services as alerts
from clients.care_team.models import CareTeamMember
from clients.programs.models import Program
from clients.records.views import STATUS_ACTIONS
from clients.tests.conftest import make_payer, request_amendment  # noqa: F401  (fixtures re-exported)
from clients.tests.factories import create_client
from console.tests.conftest import console_client, vendor_staff  # noqa: F401  (fixtures re-exported)
from core.clinic_time import clinic_today
from scheduling.appointments.views import SETTINGS
from scheduling.availability.models import BlockedTime
from scheduling.reminders.views import ANSWERS
from scheduling.tests.conftest import book, local, rooms, site, types  # noqa: F401  (fixtures re-exported)
from scheduling.waitlist import services as waitlist
from tenancy.context import tenant_context
from tickets.selectors import SCOPES
from tickets.tests.conftest import make_ticket  # noqa: F401  (fixture re-exported)

pytestmark = pytest.mark.django_db

# Names views read outside forms; each page's own field names are added from its markup.
COMMON = (  # noqa: SIM905  (a word list reads better as words)
    "date start end c client clinician appointment version page q week day view next from status kind location "
    "program sort id room to_clinician from_clinician appointment_type duration field assignee assignee_q role "
    "outcome code category section from_disclosure back answer direction active opened_from client_number scope "
    "priority clinic action tab updates history upcoming past consents disclosures"
).split()
# Names that take a date or a moment get date-like values (a form's ``signed_date``, ``received_on``, ``until``…).
DATE_NAME = re.compile(r"date|start|end|day|week|from|until|_on$|_at$|time|birth|born")
# Each set gives a value for date-like names and one for the rest; "ids" stands for the clinic's real ids. A list
# is a repeated name: a view reading one value sees the last, one reading all sees every value.
VALUE_SETS = [
    (["0001-01-01T00:00:00+23:59", "2026-13-45T10:00"], ["-1", "0", "²", "ids"]),
    ("2026-13-45", "²"),
    ("9999-12-31", "99999999999999999999"),
    ("2026-02-30T10:00+99:00", "/'\"><script>\x00" + "x" * 500),  # a path, so next= and from= read on
]
LAYOUT_FIELDS = {"csrfmiddlewaretoken", "next"}  # the sign-out form on every page
UNKNOWN_ID = 987654321
INPUT_NAME = re.compile(r'<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"')


def _routes(urlconf: str) -> list[tuple[str, object]]:
    """Each pattern as (its whole route, with ``<converter:name>`` placeholders, and the pattern)."""

    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern

    return list(walk(get_resolver(urlconf), ""))


# Which model a path's id names, by the route's beginning and the converter's name (first match wins).
ID_SOURCES = [
    ("clients/payers/", "payer_pk", "payer"),
    ("clients/programs/", "pk", "program"),
    ("clients/<int:pk>/amendments/", "amendment_pk", "amendment"),
    ("clients/<int:pk>/care-team/", "member_pk", "care_team_member"),
    ("clients/<int:pk>/alerts/", "alert_pk", "alert"),
    ("clients/", "pk", "client"),
    ("settings/locations/", "pk", "location"),
    ("staff/", "pk", "staff"),
    ("tickets/<int:pk>/staff/", "member_pk", "staff"),
    ("tickets/", "pk", "ticket"),
    ("schedule/appointments/", "pk", "appointment"),
    ("schedule/availability/", "member_pk", "staff"),
    ("schedule/availability/", "block_pk", "block"),
    ("schedule/settings/rooms/", "pk", "room"),
    ("schedule/settings/", "pk", "appointment_type"),
    ("schedule/waitlist/", "pk", "waitlist_entry"),
]
SLUGS = {
    "tab": [tab.key for tab in tabs.all_tabs()],
    "action": [*STATUS_ACTIONS, *ANSWERS],
    "kind": list(SETTINGS),
    "scope": list(SCOPES),
}


def _id_for(route: str, name: str, ids: dict[str, int]) -> int:
    for prefix, kwarg, source in ID_SOURCES:
        if route.startswith(prefix) and kwarg == name and source in ids:
            return ids[source]
    return UNKNOWN_ID


def _paths(route: str, ids: dict[str, int]) -> list[str]:
    """The route filled with ``ids`` (real or foreign; a row not made is an unknown id) and with the slugs its view
    knows plus one it does not."""
    route = route.replace("^", "").replace("\\.ics$", ".ics")
    route = re.sub(r"\(\?P<token>[^)]*\)\{?[^}]*\}?", "t" * 30, route).replace("[A-Za-z0-9_-]{20,100}", "")
    paths = [route]
    for converter, name in re.findall(r"<(\w+):(\w+)>", route):
        placeholder = f"<{converter}:{name}>"
        if converter == "int":
            values = [str(_id_for(route, name, ids))]
        elif converter == "slug" and name in ("kind", "tab"):  # each a different page
            values = [*SLUGS[name], "nope"]
        elif converter == "slug":  # a few of the actions or scopes one view tells apart
            values = [*SLUGS.get(name, [])[:3], "nope"]
        else:
            values = ["x" * 40]
        paths = [p.replace(placeholder, value) for p in paths for value in values]
    return ["/" + p for p in paths]


def _field_names(response) -> list[str]:
    """The names of the fields the page shows, so the walk also sends what its forms post."""
    return [] if response.streaming else INPUT_NAME.findall(response.content.decode(errors="replace"))


def _params(names: list[str], dates, others, ids: dict[str, int]) -> dict:
    def value(name, chosen):
        if isinstance(chosen, list):
            return [value(name, one) for one in chosen]
        return str(ids.get(name, ids["client"])) if chosen == "ids" else chosen

    return {name: value(name, dates if DATE_NAME.search(name) else others) for name in names}


@pytest.fixture
def rows(org, other_org, admin, clinician, make_member, book, rooms, types, request_amendment, make_payer, make_ticket):  # noqa: F811
    """Real rows of the signed-in clinic (ids by kind) and a few of the other clinic's."""
    jordan = create_client(org, primary=clinician)
    start = local(2026, 3, 2, 10)
    appointment = book(admin, start, clients=[jordan], clinicians=[clinician], room=rooms[0])
    amendment = request_amendment(jordan, clinician)
    ticket = make_ticket(admin, title="Printer jams")
    with tenant_context(org):
        program = Program.objects.create(name="Adolescent program")
        block = BlockedTime.objects.create(clinician=clinician, start=start, end=start + datetime.timedelta(hours=1))
        alert = alerts.add_alert(jordan, actor=admin, kind="allergy", severity="high", text="Peanuts")
        member = CareTeamMember.objects.create(client=jordan, membership=admin, added_by=admin)
        entry = waitlist.add_entry(jordan, actor=admin, data=waitlist.EntryData(appointment_type=types["intake"]))
    ids = {
        "client": jordan.pk,
        "appointment": appointment.appointments[0].pk,
        "amendment": amendment.pk,
        "ticket": ticket.pk,
        "payer": make_payer(org).pk,
        "program": program.pk,
        "location": rooms[0].location_id,
        "room": rooms[0].pk,
        "appointment_type": types["individual"].pk,
        "staff": clinician.pk,
        "clinician": clinician.pk,
        "c": clinician.pk,
        "block": block.pk,
        "alert": alert.pk,
        "care_team_member": member.pk,
        "waitlist_entry": entry.pk,
    }
    stranger = create_client(other_org, first="Sam", last="Stone")
    outsider = make_member(other_org, "olga", "administrator")
    foreign = {"client": stranger.pk, "staff": outsider.pk, "clinician": outsider.pk, "c": outsider.pk}
    return ids, foreign


def _walk(client_for, routes, ids, foreign, caplog, value_sets=VALUE_SETS) -> list[str]:
    """Send the requests; the failures as ``METHOD path params -> status [cause]`` lines."""
    failures = []

    def send(client, method, path, data):
        caplog.clear()
        response = getattr(client, method)(path, data)
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        if response.status_code >= 500 or errors:
            shown = {k: (v[:40] if isinstance(v, str) else v) for k, v in list(data.items())[:6]}
            causes = [repr(r.exc_info[1]) if r.exc_info else r.getMessage() for r in errors[:1]]
            failures.append(f"{method.upper()} {path} {shown} -> {response.status_code} {causes}")
        return response

    for route in routes:
        for path in _paths(route, ids):
            client = client_for()
            page = send(client, "get", path, {})
            if page.status_code in (403, 404) or (page.status_code == 302 and "/login/" in page["Location"]):
                continue  # refused before reading any parameter: the refusal is what the pass below tests
            fields = _field_names(page)
            own_form = set(fields) - LAYOUT_FIELDS
            methods = ("post",) if page.status_code == 405 else ("get", "post") if own_form else ("get",)
            names = list(dict.fromkeys(COMMON + fields))
            for dates, others in value_sets:
                data = _params(names, dates, others, ids)
                for method in methods:
                    send(client, method, path, data)
        if "<int:" in route:  # another clinic's ids, then ids nobody has
            client = client_for()
            for path in _paths(route, foreign):
                send(client, "get", path, {})
            for path in _paths(route, {}):
                send(client, "post", path, {"version": "1"})
    return failures


def _signed_in(make_client):
    """A factory of test clients that answer a failing view with a 500 instead of raising in the test."""

    def make():
        client = make_client()
        client.raise_request_exception = False
        return client

    return make


AREAS = {
    "clients": lambda route: route.startswith("clients/"),
    "schedule": lambda route: route.startswith("schedule/"),
    "accounts, tickets, audit": lambda route: not route.startswith(("clients/", "schedule/")),
}


@pytest.mark.parametrize("area", list(AREAS))
@pytest.mark.parametrize("who", ["administrator", "clinician", "anonymous"])
def test_no_clinic_page_fails_on_hostile_parameters(who, area, org, rows, clinic_client, admin, clinician, caplog):
    ids, foreign = rows
    member = {"administrator": admin, "clinician": clinician, "anonymous": None}[who]
    routes = [route for route, _ in _routes("hearth.urls") if AREAS[area](route)]
    caplog.set_level(logging.ERROR)
    # The clinician meets the same parsing behind other permission checks: the first two sets reach it.
    value_sets = VALUE_SETS[:2] if who == "clinician" else VALUE_SETS
    failures = _walk(_signed_in(lambda: clinic_client(org, member)), routes, ids, foreign, caplog, value_sets)
    assert failures == []


def test_no_console_page_fails_on_hostile_parameters(rows, vendor_staff, console_client, champion, make_ticket, caplog):  # noqa: F811
    ids, foreign = rows
    ids = {**ids, "ticket": make_ticket(champion, title="Reports time out", send_to_vendor=True).pk}
    routes = [route for route, _ in _routes("console.urls")]
    caplog.set_level(logging.ERROR)
    for staff in (vendor_staff, None):
        failures = _walk(_signed_in(lambda s=staff: console_client(s)), routes, ids, foreign, caplog)
        assert failures == []


# The probe's findings, one by one.


def test_an_impossible_calendar_date_shows_todays_week_with_a_message(org, rows, clinic_client, admin):
    ids, _ = rows
    response = clinic_client(org, admin).get("/schedule/", {"date": "2026-13-45", "c": "²"})
    assert response.status_code == 200
    assert response.context["anchor"] == clinic_today(org)
    assert [m.pk for m in response.context["chosen"]] == [ids["clinician"]]  # a bad id chooses nobody: all show
    assert "isn&#x27;t a real date" in response.content.decode()


def test_an_impossible_booking_start_leaves_the_time_to_choose(org, rows, clinic_client, admin):
    ids, _ = rows
    query = {"start": "2026-13-45T10:00", "client": "²", "clinician": "²", "room": str(ids["room"])}
    response = clinic_client(org, admin).get("/schedule/book/", query)
    assert response.status_code == 200
    form = response.context["form"]
    assert "date" not in form.initial and "clients" not in form.initial
    assert form.initial["clinicians"] == [] and form.initial["room"] == ids["room"]
    assert "start time in the address" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-13-45T10:00", "end": "2026-13-45T11:00", "clinician": "1", "location": "1"},
        {"start": "2026-03-09T10:00", "end": "2026-03-09T11:00", "clinician": "²", "location": "²"},
        {"appointment": "²"},
    ],
)
def test_waitlist_matches_for_a_bad_slot_ask_for_one(org, rows, clinic_client, admin, query):
    response = clinic_client(org, admin).get("/schedule/waitlist/matches/", query)
    assert response.status_code == 200
    assert "Choose a slot from the open times" in response.content.decode()


def test_adding_to_the_waitlist_for_a_bad_client_id_starts_empty(org, rows, clinic_client, admin):
    response = clinic_client(org, admin).get("/schedule/waitlist/new/", {"client": "²"})
    assert response.status_code == 200
    assert response.context["form"].initial["client"] is None


@pytest.mark.parametrize(
    ("posted", "status", "message"),
    [
        ({"start": "2026-03-02T11:00", "end": "2026-03-02T11:50", "version": "²"}, 400, "the version"),
        ({"start": "2026-13-45T11:00", "end": "2026-03-02T11:50", "version": "0"}, 400, "the version"),
        ({"start": "2026-03-02T11:00", "end": "2026-03-02T11:50", "version": "0", "to_clinician": "²"}, 400, "Unknown"),
    ],
)
def test_moving_with_bad_values_answers_400_with_the_reason(org, rows, clinic_client, admin, posted, status, message):
    ids, _ = rows
    response = clinic_client(org, admin).post(f"/schedule/appointments/{ids['appointment']}/move/", posted)
    assert response.status_code == status
    assert message in response.json()["message"]


def test_a_next_that_is_not_a_path_is_ignored(org, rows, clinic_client, admin):
    data = {"name": "Green Mountain Health", "payer_id": "GMH01", "next": "-1"}
    response = clinic_client(org, admin).post("/clients/payers/new/", data)
    assert response.status_code == 302 and response["Location"] == "/clients/payers/"


def test_the_audit_export_sends_bad_filters_back_without_an_overlong_address(org, rows, clinic_client, admin):
    query = {"start": "2026-02-30", "sort": "x" * 3000, "junk": "y" * 20000}
    response = clinic_client(org, admin).get("/audit/export.csv", query)
    assert response.status_code == 302
    assert response["Location"].startswith("/audit/?start=2026-02-30") and len(response["Location"]) < 200


def test_the_help_button_drops_a_page_path_with_a_control_character(org, rows, clinic_client, admin):
    ids, _ = rows
    client = clinic_client(org, admin)
    kept = client.get("/tickets/new/", {"from": f"/clients/{ids['client']}/"})
    assert kept.context["form"].initial["opened_from"] == f"/clients/{ids['client']}/"
    response = client.get("/tickets/new/", {"from": f"/clients/{ids['client']}/\x00"})
    assert response.status_code == 200 and response.context["form"].initial["opened_from"] == ""
