"""A 100-character name with no space in it wraps inside the client list and the chart header instead of
pushing the page sideways, on a phone and on a desktop."""

import datetime

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from clients.records.models import Client
from conftest import save_artifact, sign_in
from tenancy.context import tenant_context

pytestmark = pytest.mark.browser
LONG = ("Wolfeschlegelsteinhausenbergerdorff" * 3)[:100]


def _page_overflow(page) -> int:
    """How many pixels the page is wider than the window (0: nothing to scroll sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [375, 1280])
def test_a_long_unbroken_name_stays_on_the_screen(page, demo, clinic_url, width):
    assert len(LONG) == 100
    clinic = demo["demo"]
    with tenant_context(clinic):
        client = Client.objects.create(
            number=1001,
            legal_first_name=LONG,
            legal_last_name=LONG,
            preferred_name=LONG,
            date_of_birth=datetime.date(1990, 1, 1),
            status="active",
        )
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, clinic_url(clinic, "/login/"), "admin", DEMO_PASSWORD)
    page.goto(clinic_url(clinic, "/clients/"))
    expect(page.get_by_role("link", name=LONG).first).to_be_visible()
    assert _page_overflow(page) == 0
    # Every column stays in view: the table needs no sideways scrolling inside its region either.
    region = page.get_by_role("region", name="Clients")
    assert region.evaluate("e => e.scrollWidth <= e.clientWidth")
    if width > 640:  # a phone stacks each row's cells under one another and hides the header row
        expect(page.get_by_role("columnheader", name="Primary clinician")).to_be_in_viewport()
    page.goto(clinic_url(clinic, f"/clients/{client.pk}/"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(LONG[:20])
    assert _page_overflow(page) == 0
    box = heading.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    save_artifact(page, f"long-name-chart-{width}")
