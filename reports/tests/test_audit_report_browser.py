"""The audit report in Debian's headless Chromium against a live server."""

import csv

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from conftest import save_artifact, sign_in

pytestmark = pytest.mark.browser


def test_administrator_filters_the_audit_log_and_downloads_csv(page, demo, clinic_url):
    sign_in(page, clinic_url(demo["demo"], "/login/"), "admin", DEMO_PASSWORD)
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()

    page.get_by_label("Action").select_option("auth.login")
    page.get_by_role("button", name="Filter").click()
    assert "action=auth.login" in page.url
    table = page.locator("table.data tbody")
    expect(table).to_contain_text("auth.login")
    expect(table).to_contain_text("admin@")
    assert table.get_by_text("audit.viewed").count() == 0
    save_artifact(page, "audit-log-filtered")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("audit-demo-")
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
        "time",
        "user",
        "action",
        "outcome",
        "object_type",
        "object_id",
        "client_number",
        "ip_address",
        "user_agent",
        "sequence",
    ]
    assert len(rows) >= 2 and {row[2] for row in rows[1:]} == {"auth.login"}
