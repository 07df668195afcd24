"""Pages are valid HTML, checked with the Nu HTML Checker (``vnu-jar`` from npm, run with the machine's Java):
paged lists (a chart tab, the audit report, a ticket thread) with their pagers and ``<time datetime>`` values.

One checker run covers every page (the JVM takes seconds to start)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from audit.services import record
from clients.diagnoses.models import Diagnosis
from clients.tests.factories import create_client
from tenancy.context import tenant_context
from tickets import services as tickets
from tickets.tests.conftest import make_ticket  # noqa: F401  (the tickets app's factory, reused)

VNU = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

pytestmark = pytest.mark.skipif(
    not VNU.exists() or shutil.which("java") is None,
    reason="the Nu HTML Checker needs `npm ci` (vnu-jar) and Java",
)


def _errors(pages: dict[str, bytes], folder: Path) -> dict[str, list[str]]:
    paths = []
    for name, content in pages.items():
        path = folder / f"{name}.html"
        path.write_bytes(content)
        paths.append(str(path))
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *paths],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    found: dict[str, list[str]] = {}
    for message in messages:
        name = Path(message.get("url", "")).stem
        found.setdefault(name, []).append(f"line {message.get('lastLine')}: {message['message']}")
    return found


def test_paged_lists_and_their_times_are_valid_html(
    org,
    admin,
    clinician,
    make_ticket,  # noqa: F811  (the fixture imported above)
    clinic_client,
    tmp_path,
):
    record_ = create_client(org, primary=clinician)
    ticket = make_ticket(clinician, assignee=admin)
    with tenant_context(org):
        for i in range(30):
            Diagnosis.objects.create(client=record_, code=f"Z{i:03d}", description=f"Diagnosis {i}")
        for i in range(25):
            tickets.add_comment(ticket, actor=clinician, body=f"Comment {i}")
        for _ in range(55):
            record("client.viewed", actor=clinician.user, client_id=record_.pk)
    as_clinician, as_admin = clinic_client(org, clinician), clinic_client(org, admin)
    pages = {
        "chart-tab-page-2": as_clinician.get(f"/clients/{record_.pk}/diagnoses/", {"page": 2}),
        "audit-report": as_admin.get("/audit/", {"action": "client.viewed"}),
        "ticket-thread": as_admin.get(f"/tickets/{ticket.pk}/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert b'class="pager"' in response.content, name
    assert b"<time datetime=" in pages["audit-report"].content and b"<time datetime=" in pages["ticket-thread"].content
    assert _errors({name: response.content for name, response in pages.items()}, tmp_path) == {}
