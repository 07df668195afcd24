"""WCAG 2 A/AA checks with axe-core on every page of the base UI, as a browser renders them."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, load_demo
from tenancy.context import tenant_context

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


def _chart_with_record_details(clinic) -> int:
    """A minor without a guardian, with a contact, a family link and an alert: every part of the chart renders."""
    from accounts.models import Membership
    from clients import alerts, contacts, services, status
    from clients.models import Client
    from clients.tests.conftest import years_before

    with tenant_context(clinic), transaction.atomic():
        desk = Membership.objects.get(username="frontdesk")
        today = status.clinic_today()
        minor, parent = (
            Client.objects.create(
                number=services.next_client_number(),
                legal_first_name=first,
                legal_last_name="Lopez",
                date_of_birth=years_before(today, age),
                status="active",
                intake_date=today,
            )
            for first, age in (("Mia", 12), ("Maria", 40))
        )
        contacts.add_contact(
            minor, actor=desk, data={"name": "Rosa", "relationship": "grandparent", "phone": "555-201-9900"}
        )
        contacts.link_clients(minor, actor=desk, related_client=parent, relationship="parent")
        alerts.add_alert(minor, actor=desk, kind="communication", severity="high", text="Interpreter: Spanish")
        return minor.pk


def test_pages_have_no_wcag_violations(axe_page, transactional_db, live_server):
    clinics = {c.slug: c for c in load_demo()}
    chart = _chart_with_record_details(clinics["demo"])
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
        ("locations", "/settings/locations/"),
        ("add a location", "/settings/locations/new/"),
        ("programs", "/clients/programs/"),
        ("add a program", "/clients/programs/new/"),
        ("chart overview with alerts", f"/clients/{chart}/"),
        ("chart demographics with contacts", f"/clients/{chart}/demographics/"),
        ("edit demographics", f"/clients/{chart}/edit/"),
        ("client status", f"/clients/{chart}/status/"),
        ("care team", f"/clients/{chart}/care-team/"),
        ("add a contact", f"/clients/{chart}/contacts/new/"),
        ("link a family member", f"/clients/{chart}/family/new/"),
        ("add an alert", f"/clients/{chart}/alerts/new/"),
    ]:
        page.goto(f"{base}{path}")
        pages[name] = _violations(page)
    page.goto(f"{base}/staff/invite/")
    page.get_by_role("button", name="Send invitation").click()
    pages["invite with errors"] = _violations(page)
    page.goto(f"{base}/clients/{chart}/status/")
    page.get_by_role("button", name="Discharge client").click()
    pages["discharge with errors"] = _violations(page)
    page.goto(f"{base}/settings/locations/new/")
    page.get_by_role("button", name="Save location").click()
    pages["location with errors"] = _violations(page)
    page.get_by_role("button", name="Sign out").click()
    for name, path in [("forgot password", "/password/reset/"), ("reset link invalid", "/password/reset/set/")]:
        page.goto(f"{base}{path}")
        pages[name] = _violations(page)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{base}/staff/")
    pages["staff list on a phone"] = _violations(page)
    page.goto(f"{base}/login/")
    page.get_by_label("Username or email").fill("admin")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    for name, path in [("chart on a phone", f"/clients/{chart}/"), ("status on a phone", f"/clients/{chart}/status/")]:
        page.goto(f"{base}{path}")
        pages[name] = _violations(page)
    assert clinics
    assert {name: found for name, found in pages.items() if found} == {}
