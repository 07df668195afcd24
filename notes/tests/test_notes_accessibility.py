"""WCAG 2 A/AA checks (axe-core) on the notes pages, as each role sees them in the demo."""

import pytest

from accounts.demo import DEMO_PASSWORD
from conftest import sign_in
from hearth.tests.test_accessibility import _violations
from notes.records.models import Note, Status
from tenancy.context import tenant_context

pytestmark = pytest.mark.browser


@pytest.fixture
def axe_page(browser):
    context = browser.new_context(bypass_csp=True)  # axe is injected inline; this context only audits
    yield context.new_page()
    context.close()


def test_notes_pages_have_no_wcag_violations(axe_page, demo, clinic_url):
    clinic = demo["demo"]
    with tenant_context(clinic):
        mine = Note.objects.filter(author__username="clinician")
        draft = mine.filter(status=Status.DRAFT).first()
        signed = mine.filter(status=Status.SIGNED).first()
        waiting = mine.filter(status=Status.AWAITING_COSIGN).first()
        client_pk = draft.client_id
    pages = {}
    for username, paths in (
        (
            "clinician",
            [
                ("notes tab", f"/clients/{client_pk}/notes/"),
                ("new note", f"/notes/client/{client_pk}/new/"),
                ("draft", f"/notes/{draft.pk}/"),
                ("sign", f"/notes/{draft.pk}/sign/"),
                ("signed note with the addendum form", f"/notes/{signed.pk}/"),
                ("print form", f"/notes/client/{client_pk}/print/"),
                ("late notes", "/notes/late/"),
            ],
        ),
        ("supervisor", [("co-sign queue", "/notes/cosign/"), ("note to review", f"/notes/{waiting.pk}/")]),
        (
            "admin",
            [
                ("note settings", "/notes/settings/"),
                ("templates", "/notes/settings/templates/"),
                ("template edit", f"/notes/settings/templates/{signed.template_version.template_id}/"),
                ("supervision", "/notes/settings/supervision/"),
                ("supervision edit", f"/notes/settings/supervision/{signed.author_id}/"),
            ],
        ),
    ):
        axe_page.context.clear_cookies()
        sign_in(axe_page, clinic_url(clinic, "/login/"), username, DEMO_PASSWORD)
        for name, path in paths:
            axe_page.goto(clinic_url(clinic, path))
            pages[name] = _violations(axe_page)
    assert {name: found for name, found in pages.items() if found} == {}
