"""WCAG 2 A/AA checks with axe-core on every page of the base UI, as a browser renders them."""

from pathlib import Path

import pytest
from django.conf import settings

from accounts.demo import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.browser
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe_page(browser):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does)")
    # axe is injected as an inline script, which the app's CSP rightly forbids; this context only audits.
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


def _violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in result["violations"]]


def _scheduling_pages(page, base: str, clinic) -> dict[str, list[str]]:
    """The calendar in every view, booking (also with errors), an appointment and its forms, settings, the chart's
    Schedule tab: signed in as the demo administrator."""
    from clients.models import Client
    from scheduling.models import Appointment
    from tenancy.context import tenant_context

    with tenant_context(clinic):
        appointment = Appointment.objects.order_by("start").first()
        client = Client.objects.get(number=9001)
        clinician = appointment.clinicians.first()
    found = {}
    for name, path in [
        ("schedule: day, everyone", "/schedule/?view=day"),
        ("schedule: week, everyone", "/schedule/?view=week"),
        ("schedule: week, one clinician", f"/schedule/?view=week&c={clinician.pk}"),
        ("schedule: month", f"/schedule/?view=month&c={clinician.pk}"),
        ("schedule: list", "/schedule/?view=list"),
        ("schedule: a room", f"/schedule/?view=week&room={appointment.room_id}"),
        ("book an appointment", "/schedule/book/"),
        ("open times", f"/schedule/open-slots/?duration=45&clinician={clinician.pk}"),
        ("appointment", f"/schedule/appointments/{appointment.pk}/"),
        ("change appointment", f"/schedule/appointments/{appointment.pk}/edit/"),
        ("cancel appointment", f"/schedule/appointments/{appointment.pk}/cancel/"),
        ("working hours", f"/schedule/availability/{clinician.pk}/"),
        ("appointment types", "/schedule/settings/types/"),
        ("rooms", "/schedule/settings/rooms/"),
        ("closures", "/schedule/settings/closures/"),
        ("add a closure", "/schedule/settings/closures/new/"),
        ("calendar time zone", "/schedule/preferences/"),
        ("client schedule tab", f"/clients/{client.pk}/schedule/"),
    ]:
        page.goto(f"{base}{path}")
        found[name] = _violations(page)
    page.goto(f"{base}/schedule/book/")
    page.get_by_role("button", name="Book").click()
    found["book with errors"] = _violations(page)
    return found


def test_pages_have_no_wcag_violations(axe_page, transactional_db, live_server):
    clinics = {c.slug: c for c in load_demo()}
    port = live_server.url.rsplit(":", 1)[1]
    base = f"http://demo.localhost:{port}"
    page = axe_page
    pages = {}
    page.goto(f"{base}/login/")
    pages["login"] = _violations(page)
    page.get_by_label("Username or email").fill("admin")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    pages["login with error"] = _violations(page)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    for name, path in [
        ("home", "/"),
        ("staff list", "/staff/"),
        ("invite", "/staff/invite/"),
        ("clinic settings", "/settings/clinic/"),
        ("not found", "/nowhere/"),
        ("sessions", "/account/sessions/"),
        ("own sign-ins", "/account/sign-ins/"),
        ("clinic sign-ins", "/staff/sign-ins/"),
        ("two-step sign-in", "/mfa/"),
        ("two-step set-up", "/mfa/setup/"),
        ("change password", "/password/change/"),
        ("single sign-on settings", "/settings/sso/"),
    ]:
        page.goto(f"{base}{path}")
        pages[name] = _violations(page)
    page.goto(f"{base}/staff/invite/")
    page.get_by_role("button", name="Send invitation").click()
    pages["invite with errors"] = _violations(page)
    pages.update(_scheduling_pages(page, base, clinics["demo"]))
    page.get_by_role("button", name="Sign out").click()
    for name, path in [("forgot password", "/password/reset/"), ("reset link invalid", "/password/reset/set/")]:
        page.goto(f"{base}{path}")
        pages[name] = _violations(page)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{base}/staff/")
    pages["staff list on a phone"] = _violations(page)
    page.goto(f"{base}/schedule/?view=day")
    pages["schedule on a phone"] = _violations(page)
    assert clinics
    assert {name: found for name, found in pages.items() if found} == {}
