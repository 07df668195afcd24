"""Shared fixtures: two clinics with staff in every role, signed-in clients, a headless Chromium, and the clock.

The clock: ``pytest --at=2027-01-31T23:30[America/New_York]`` runs every selected test as if it were that instant
(the option repeats: each test then runs once per instant). ``make test`` runs the tests marked ``dated`` at a
month end, both sides of the daylight-saving changes, a leap day and local midnight this way. Browser tests that
load the demo travel to a fixed weekday and hour instead (see ``browser_now``), unless ``--at`` is given.
"""

import datetime
import os
import re
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client

from accounts.people.models import Membership, RoleAssignment, User
from accounts.roles import Role
from accounts.signin.signals import SESSION_ORGANIZATION_KEY
from tenancy.context import tenant_context
from tenancy.models import Organization

ARTIFACTS = Path(settings.BASE_DIR) / "var" / "test-artifacts"
PASSWORD = "Correct-Horse-42!"
CHROMIUM = "/usr/bin/chromium"


# --- The clock ---------------------------------------------------------------------------------------------

_INSTANT = re.compile(r"(?P<iso>[^\[\]]+)(?:\[(?P<zone>[^\[\]]+)\])?")


def parse_instant(text: str) -> datetime.datetime:
    """An aware instant from ISO 8601 with an offset, a zone name in brackets (RFC 9557), or both:
    ``2027-03-14T03:30[America/New_York]``, ``2027-11-07T01:30-05:00[America/New_York]`` (the offset picks the
    second 01:30 of a fall-back night), ``2028-02-29T12:00Z``. A wall time the zone skips is refused."""
    match = _INSTANT.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not an instant: {text!r}")
    moment = datetime.datetime.fromisoformat(match["iso"])
    if match["zone"] is None:
        if moment.tzinfo is None:
            raise ValueError(f"{text!r} needs an offset or a [zone]")
        return moment
    zone = zoneinfo.ZoneInfo(match["zone"])
    if moment.tzinfo is None:
        local = moment.replace(tzinfo=zone)
        if local.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != moment:
            raise ValueError(f"{text!r} does not exist in {zone} (the clocks skip it)")
        return local
    local = moment.astimezone(zone)
    if local.utcoffset() != moment.utcoffset():
        raise ValueError(f"{text!r}: {zone} is not at that offset then")
    return local


def pytest_configure(config):
    try:
        config.hearth_instants = [parse_instant(text) for text in config.getoption("at")]
    except (ValueError, zoneinfo.ZoneInfoNotFoundError) as error:
        raise pytest.UsageError(f"--at: {error}") from error


def pytest_addoption(parser):
    parser.addoption(
        "--at",
        action="append",
        default=[],
        metavar="INSTANT",
        help="run each selected test as if it were INSTANT, e.g. 2027-01-31T23:30[America/New_York]; repeat the "
        "option to run each test once per instant",
    )


def pytest_generate_tests(metafunc):
    instants = metafunc.config.hearth_instants
    if instants:
        ids = [f"at-{instant.isoformat(timespec='minutes')}" for instant in instants]
        metafunc.parametrize("_at_instant", instants, ids=ids, indirect=True, scope="function")


@pytest.fixture(autouse=True)
def _at_instant(request):
    """With ``--at``: the test starts at that instant and the clock runs on from there (``tick=True``), for the
    test body and every thread it talks to (the live server too). Without it: the real clock."""
    instant = getattr(request, "param", None)
    if instant is None:
        yield None
        return
    # Travel in UTC: an aware ZoneInfo destination would also change the process's TZ, which Django sets to UTC.
    with time_machine.travel(instant.astimezone(datetime.UTC), tick=True):
        yield instant


def host_of(organization: Organization) -> str:
    return f"{organization.slug}.{settings.HEARTH_BASE_DOMAIN}"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(db) -> Organization:
    return Organization.objects.create(name="Riverside Counseling", slug="riverside", time_zone="America/New_York")


@pytest.fixture
def other_org(db) -> Organization:
    return Organization.objects.create(name="Lakeside Therapy", slug="lakeside", time_zone="America/Chicago")


@pytest.fixture
def make_member(db):
    """Create a staff member of ``organization`` with ``roles``; email and username derive from ``username``."""

    def make(organization: Organization, username: str, *roles: str, active: bool = True, name: str = "") -> Membership:
        with tenant_context(organization):
            email = f"{username}@{organization.slug}.test"
            user = User.objects.create_user(email=email, password=PASSWORD, full_name=name or username.title())
            membership = Membership.objects.create(user=user, username=username, is_active=active)
            RoleAssignment.objects.bulk_create([RoleAssignment(membership=membership, role=r) for r in roles])
            membership._roles_cache = frozenset(roles)
            return membership

    return make


@pytest.fixture
def admin(org, make_member) -> Membership:
    return make_member(org, "alice", Role.ADMINISTRATOR, name="Alice Admin")


@pytest.fixture
def clinician(org, make_member) -> Membership:
    return make_member(org, "carol", Role.CLINICIAN, name="Carol Clinician")


@pytest.fixture
def front_desk(org, make_member) -> Membership:
    return make_member(org, "frank", Role.FRONT_DESK, name="Frank Frontdesk")


@pytest.fixture
def billing(org, make_member) -> Membership:
    return make_member(org, "bill", Role.BILLING, name="Bill Billing")


@pytest.fixture
def supervisor(org, make_member) -> Membership:
    return make_member(org, "sue", Role.SUPERVISOR, Role.CLINICIAN, name="Sue Supervisor")


@pytest.fixture
def champion(org, make_member) -> Membership:
    return make_member(org, "chad", Role.SUPPORT_CHAMPION, name="Chad Champion")


@pytest.fixture
def outsider(other_org, make_member) -> Membership:
    """An administrator of the *other* clinic: every view must refuse them."""
    return make_member(other_org, "oscar", Role.ADMINISTRATOR, name="Oscar Outsider")


@pytest.fixture
def clinic_client():
    """``clinic_client(org)`` is an anonymous client on the clinic's host; ``clinic_client(org, member)`` is
    signed in as that staff member."""

    def make(organization: Organization, member: Membership | None = None) -> Client:
        client = Client(HTTP_HOST=host_of(organization))
        if member is not None:
            client.force_login(member.user)
            session = client.session
            session[SESSION_ORGANIZATION_KEY] = member.organization_id
            session.save()
        return client

    return make


@pytest.fixture
def in_clinic(org):
    """Run the test body acting for ``org`` (what the middleware does for a request)."""
    with tenant_context(org):
        yield org


def rls_queries() -> int:
    """Extra statements per request on PostgreSQL: setting and resetting the clinic for row-level security."""
    return 2 if connection.vendor == "postgresql" else 0


@pytest.fixture
def pg_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("row-level security exists only on PostgreSQL; set DATABASE_URL=postgres://… to run")


# --- Browser -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium and chromium-driver (see .ci/run)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; Django would otherwise refuse ORM calls from it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def clinic_url(live_server):
    """``clinic_url(org, "/login/")`` → the live server's address for that clinic."""
    port = live_server.url.rsplit(":", 1)[1]

    def make(organization: Organization, path: str = "/") -> str:
        return f"http://{host_of(organization)}:{port}{path}"

    return make


def save_artifact(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


BROWSER_ZONE = zoneinfo.ZoneInfo("America/New_York")


def browser_now(real_now: datetime.datetime | None = None) -> datetime.datetime:
    """The instant the browser tests run at: a Tuesday at 14:00 in New York in the second week of June, the first
    one still ahead of the real clock.

    A Tuesday afternoon: the demo week's Monday and Tuesday appointments are over, the rest are days away (the
    reminder test books "tomorrow" and expects no demo appointment inside its 48-hour window). June: no
    daylight-saving change or month end for weeks either side, so "the Monday in two weeks" and weekly series
    keep their wall-clock times. Ahead of the real clock, never behind it: Chromium keeps the real clock."""
    real_now = real_now or datetime.datetime.now(datetime.UTC)
    for year in range(real_now.year, real_now.year + 3):
        eighth = datetime.date(year, 6, 8)
        tuesday = eighth + datetime.timedelta(days=(1 - eighth.weekday()) % 7)
        instant = datetime.datetime.combine(tuesday, datetime.time(14), tzinfo=BROWSER_ZONE)
        if instant > real_now:
            return instant
    raise AssertionError("unreachable: every year has a June")


@pytest.fixture
def browser_clock(request):
    """Server-side clock for a browser test: ``browser_now()``, ticking, for the test and the live server (both
    in this process); the test's ``--at`` instead when one is given. Chromium's own clock stays real."""
    if request.config.hearth_instants:
        yield None
        return
    instant = browser_now()
    with time_machine.travel(instant.astimezone(datetime.UTC), tick=True):
        yield instant


@pytest.fixture
def demo(transactional_db, settings, live_server, browser_clock):
    """The demo clinics (as `make run` loads them, at ``browser_clock``'s time), served by the live server; emails
    link to its port."""
    from accounts.demo import load_demo

    settings.HEARTH_PUBLIC_PORT = live_server.url.rsplit(":", 1)[1]
    return {clinic.slug: clinic for clinic in load_demo()}


def choose_client(page, name: str) -> None:
    """Pick a client in the booking form's client picker with the keyboard: type the name (``name`` may end in
    the option's " (#number)"), arrow down to the option, Enter."""
    box = page.get_by_role("combobox", name="Clients")
    box.fill(name.split(" (#")[0])
    option = page.get_by_role("option", name=name).first
    option.wait_for()
    while option.get_attribute("aria-selected") != "true":
        box.press("ArrowDown")
    box.press("Enter")
    page.locator(".chips .chip", has_text=name).wait_for()


def sign_in(page, url: str, username: str, password: str) -> None:
    """Fill and submit a clinic's sign-in page in the browser."""
    page.goto(url)
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
