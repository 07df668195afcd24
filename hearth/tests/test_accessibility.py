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
    page.goto(f"{base}/clients/")
    pages["client list"] = _violations(page)
    page.get_by_label("Find a client").fill("2/30/1990")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("is not a date").wait_for()
    pages["client search with a message"] = _violations(page)
    page.get_by_role("button", name="Sign out").click()
    for name, path in [("forgot password", "/password/reset/"), ("reset link invalid", "/password/reset/set/")]:
        page.goto(f"{base}{path}")
        pages[name] = _violations(page)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{base}/staff/")
    pages["staff list on a phone"] = _violations(page)
    assert clinics
    assert {name: found for name, found in pages.items() if found} == {}
