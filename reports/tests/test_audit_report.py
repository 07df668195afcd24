"""The administrators' audit report at /audit/ and its CSV export."""

import csv
import datetime as dt
import io
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent, Outcome
from audit.sealer import seal_pending
from audit.services import record
from clients.records.models import Client
from clients.tests.factories import create_client
from conftest import rls_queries
from tenancy.context import tenant_context

UTC = dt.UTC


@pytest.fixture
def make_event():
    """``make_event(org, action, actor=member, when=datetime, client=…, outcome=…)`` appends one real event."""

    def make(organization, action, *, actor=None, when=None, client=None, outcome=Outcome.SUCCESS, **kwargs):
        with tenant_context(organization):
            if when is None:
                return record(
                    action,
                    actor=actor.user if actor else None,
                    client_id=client.pk if client else None,
                    outcome=outcome,
                    **kwargs,
                )
            with mock.patch("audit.services.timezone.now", return_value=when):
                return record(
                    action,
                    actor=actor.user if actor else None,
                    client_id=client.pk if client else None,
                    outcome=outcome,
                    **kwargs,
                )

    def make_sealed(*args, **kwargs):
        event = make(*args, **kwargs)
        seal_pending()  # as the sealer would within seconds: the event gets its place in the chain
        return event

    return make_sealed


@pytest.fixture
def make_client(db):
    def make(organization, number: int, first: str = "Jamie", last: str = "Doe") -> Client:
        return create_client(organization, first, last, number=number, born=dt.date(1990, 1, 2))

    return make


def rows_of(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


def report_events(response) -> list[AuditEvent]:
    return response.context["events"]


# --- The page -----------------------------------------------------------------------------------------------


def test_administrator_sees_events_with_client_numbers_not_names(
    org, admin, clinician, make_event, make_client, clinic_client
):
    chart = make_client(org, 1042, "Robin", "Quill")
    make_event(org, "client.viewed", actor=clinician, client=chart, target=None)
    response = clinic_client(org, admin).get("/audit/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "client.viewed" in body
    assert "carol@riverside.test" in body
    assert "1042" in body
    assert "Quill" not in body and "Robin" not in body
    assert '<a href="/audit/" aria-current="page">Audit log</a>' in body


def test_viewing_the_report_is_audited_with_the_filters(org, admin, clinic_client):
    clinic_client(org, admin).get("/audit/", {"action": "", "outcome": "denied", "sort": "oldest"})
    event = AuditEvent.objects.get(action="audit.viewed")
    assert event.actor == admin.user
    assert event.organization == org
    assert event.detail == {"outcome": "denied", "sort": "oldest", "page": 1}


def test_filters_by_user(org, admin, clinician, front_desk, make_event, clinic_client):
    make_event(org, "client.viewed", actor=clinician)
    make_event(org, "client.updated", actor=front_desk)
    events = report_events(clinic_client(org, admin).get("/audit/", {"user": clinician.user_id}))
    assert [e.action for e in events] == ["client.viewed"]


def test_filters_by_client_number(org, admin, clinician, make_event, make_client, clinic_client):
    first, second = make_client(org, 1001), make_client(org, 1002)
    make_event(org, "client.viewed", actor=clinician, client=first)
    make_event(org, "client.updated", actor=clinician, client=second)
    events = report_events(clinic_client(org, admin).get("/audit/", {"client": "1002"}))
    assert [(e.action, e.client_number) for e in events] == [("client.updated", 1002)]


def test_filters_by_action_from_the_actions_present(org, admin, clinician, make_event, clinic_client):
    make_event(org, "client.viewed", actor=clinician)
    make_event(org, "auth.login", actor=clinician)
    response = clinic_client(org, admin).get("/audit/", {"action": "auth.login"})
    assert [e.action for e in report_events(response)] == ["auth.login"]
    choices = [value for value, _ in response.context["form"].fields["action"].choices]
    assert choices == ["", "auth.login", "client.viewed"]


def test_filters_by_outcome(org, admin, clinician, make_event, clinic_client):
    make_event(org, "client.viewed", actor=clinician)
    make_event(org, "access.denied", actor=clinician, outcome=Outcome.DENIED)
    events = report_events(clinic_client(org, admin).get("/audit/", {"outcome": "denied"}))
    assert [e.action for e in events] == ["access.denied"]


def test_date_range_is_whole_days_in_the_clinics_time_zone(org, admin, clinician, make_event, clinic_client):
    # Riverside is in New York: 03:30 UTC on March 10 is still the evening of March 9 there.
    make_event(org, "late.evening", actor=clinician, when=dt.datetime(2026, 3, 10, 3, 30, tzinfo=UTC))
    make_event(org, "next.morning", actor=clinician, when=dt.datetime(2026, 3, 10, 14, 0, tzinfo=UTC))
    make_event(org, "day.before", actor=clinician, when=dt.datetime(2026, 3, 8, 12, 0, tzinfo=UTC))
    client = clinic_client(org, admin)

    def actions(**filters) -> list[str]:
        return [e.action for e in report_events(client.get("/audit/", {"user": clinician.user_id, **filters}))]

    assert actions(start="2026-03-09", end="2026-03-09") == ["late.evening"]
    assert actions(start="2026-03-10") == ["next.morning"]
    assert actions(end="2026-03-09") == ["late.evening", "day.before"]
    assert actions(start="2026-03-08", end="2026-03-10") == ["next.morning", "late.evening", "day.before"]


def test_sorts_by_time_user_and_action(org, admin, clinician, front_desk, make_event, clinic_client):
    base = dt.datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
    make_event(org, "b.second", actor=front_desk, when=base)
    make_event(org, "a.third", actor=clinician, when=base + dt.timedelta(hours=1))
    make_event(org, "c.first", actor=front_desk, when=base - dt.timedelta(hours=1))
    client = clinic_client(org, admin)

    def actions(sort: str) -> list[str]:
        return [e.action for e in report_events(client.get("/audit/", {"sort": sort, "end": "2026-01-05"}))]

    assert actions("newest") == ["a.third", "b.second", "c.first"]
    assert actions("oldest") == ["c.first", "b.second", "a.third"]
    assert actions("action") == ["a.third", "b.second", "c.first"]
    assert actions("user") == ["a.third", "b.second", "c.first"]  # carol@… before frank@…, then newest first


def test_paginates_fifty_per_page(org, admin, clinician, make_event, clinic_client):
    for _ in range(120):
        make_event(org, "client.viewed", actor=clinician)
    client = clinic_client(org, admin)
    first = client.get("/audit/", {"action": "client.viewed"})
    assert len(report_events(first)) == 50
    assert "Page 1<" in first.content.decode()  # the total is not counted, so it shows only on the last page
    assert 'href="?action=client.viewed&amp;page=2"' in first.content.decode()
    last = client.get("/audit/", {"action": "client.viewed", "page": "3"})
    assert len(report_events(last)) == 20
    assert "Page 3 of 3" in last.content.decode() and "120 events; 101–120 shown" in last.content.decode()
    assert client.get("/audit/", {"action": "client.viewed", "page": "nonsense"}).context["page"].number == 1


def test_events_of_another_clinic_never_appear(org, other_org, admin, outsider, make_event, clinic_client):
    make_event(org, "riverside.only", actor=admin)
    make_event(other_org, "lakeside.only", actor=outsider)
    body = clinic_client(org, admin).get("/audit/").content.decode()
    assert "riverside.only" in body and "lakeside.only" not in body
    response = clinic_client(other_org, outsider).get("/audit/", {"user": admin.user_id})
    assert "Choose a staff member of this clinic." in response.content.decode()
    export = clinic_client(other_org, outsider).get("/audit/export.csv")
    actions = {row[2] for row in rows_of(export)[1:]}
    assert "lakeside.only" in actions and "riverside.only" not in actions


@pytest.mark.parametrize("role_fixture", ["clinician", "front_desk", "billing", "supervisor", "champion"])
@pytest.mark.parametrize("path", ["/audit/", "/audit/export.csv"])
def test_other_roles_are_refused_and_audited(role_fixture, path, request, org, clinic_client):
    member = request.getfixturevalue(role_fixture)
    response = clinic_client(org, member).get(path)
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="access.denied")
    assert event.actor == member.user
    assert event.detail["permission"] in {"audit.view_report", "audit.export_report"}
    assert not AuditEvent.objects.filter(action__in=["audit.viewed", "audit.exported"]).exists()
    assert "Audit log" not in clinic_client(org, member).get("/").content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(org, clinic_client):
    response = clinic_client(org).get("/audit/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"start": "31/02/2026"}, "Enter the start date as YYYY-MM-DD."),
        ({"end": "yesterday"}, "Enter the end date as YYYY-MM-DD."),
        ({"start": "2026-03-10", "end": "2026-03-01"}, "The end date is before the start date."),
        ({"user": "999999"}, "Choose a staff member of this clinic."),
        ({"user": "abc"}, "Choose a staff member of this clinic."),
        ({"client": "55555"}, "No client has number 55555 in this clinic."),
        ({"client": "12a"}, "Enter a client number (digits only)."),
        ({"action": "no.such"}, "Choose an action from the list."),
        ({"outcome": "maybe"}, "Select a valid choice."),
    ],
)
def test_bad_filters_show_a_message_not_an_error(filters, message, org, admin, clinic_client):
    client = clinic_client(org, admin)
    response = client.get("/audit/", filters)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "Some filters could not be used" in body
    assert response.context["events"] == []
    export = client.get("/audit/export.csv", filters)
    assert export.status_code == 302 and export["Location"].startswith("/audit/?")
    assert not AuditEvent.objects.filter(action="audit.exported").exists()
    assert AuditEvent.objects.filter(action="audit.viewed", detail__has_key="invalid").exists()


def test_list_query_count_does_not_grow_with_events(
    org, admin, clinician, make_event, make_client, clinic_client, django_assert_max_num_queries
):
    client = clinic_client(org, admin)
    client.get("/")  # the first request of a session also records its last-seen time

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/audit/", {"action": "client.viewed"}).status_code == 200
        return len(ctx.captured_queries)

    make_event(org, "client.viewed", actor=clinician, client=make_client(org, 1001))
    few = count()
    for number in range(2000, 2060):
        make_event(org, "client.viewed", actor=clinician, client=make_client(org, number))
    assert count() == few
    assert few <= 11 + rls_queries()


# --- CSV export ---------------------------------------------------------------------------------------------


def test_csv_export_has_one_row_per_filtered_event(org, admin, clinician, make_event, make_client, clinic_client):
    chart = make_client(org, 1077, "Robin", "Quill")
    when = dt.datetime(2026, 7, 4, 16, 30, 5, tzinfo=UTC)
    viewed = make_event(org, "client.viewed", actor=clinician, client=chart, when=when, object_type="clients.client")
    make_event(org, "client.viewed", actor=clinician, when=when + dt.timedelta(minutes=1))
    make_event(org, "auth.login", actor=clinician)
    response = clinic_client(org, admin).get("/audit/export.csv", {"action": "client.viewed", "sort": "oldest"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-riverside-')
    rows = rows_of(response)
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
    assert len(rows) == 3
    assert rows[1] == [
        "2026-07-04T12:30:05-04:00",  # New York summer time
        "carol@riverside.test",
        "client.viewed",
        "success",
        "clients.client",
        "",
        "1077",
        "",
        "",
        str(viewed.link.sequence),
    ]
    assert rows[2][6] == ""
    assert "Quill" not in "".join(",".join(r) for r in rows)


def test_csv_export_is_audited_with_filters_and_no_phi(org, admin, clinician, make_event, make_client, clinic_client):
    chart = make_client(org, 1088, "Robin", "Quill")
    make_event(org, "client.viewed", actor=clinician, client=chart)
    response = clinic_client(org, admin).get(
        "/audit/export.csv", {"client": "1088", "start": "2026-01-01", "user": clinician.user_id}
    )
    assert [row[6] for row in rows_of(response)[1:]] == ["1088"]
    event = AuditEvent.objects.get(action="audit.exported")
    assert event.actor == admin.user
    assert event.detail == {
        "user": clinician.user_id,
        "client_id": chart.pk,
        "start": "2026-01-01",
        "sort": "newest",
    }
    assert "Quill" not in str(event.detail)


def test_csv_neutralizes_spreadsheet_formulas(org, admin, make_event, clinic_client):
    make_event(org, "auth.login_failed", object_id="=HYPERLINK(1)")
    rows = rows_of(clinic_client(org, admin).get("/audit/export.csv", {"action": "auth.login_failed"}))
    assert rows[1][5] == "'=HYPERLINK(1)"


def test_csv_export_reads_in_chunks_with_one_client_query_each(
    org, admin, clinician, make_event, make_client, clinic_client, monkeypatch
):
    monkeypatch.setattr("reports.audit_log.views.EXPORT_CHUNK", 4)
    for number in range(3000, 3010):
        make_event(org, "client.viewed", actor=clinician, client=make_client(org, number))
    response = clinic_client(org, admin).get("/audit/export.csv", {"action": "client.viewed", "sort": "oldest"})
    with CaptureQueriesContext(connection) as ctx:
        rows = rows_of(response)
    assert [row[6] for row in rows[1:]] == [str(n) for n in range(3000, 3010)]
    client_queries = [q for q in ctx.captured_queries if "clients_client" in q["sql"]]
    assert len(client_queries) == 3  # 4 + 4 + 2 events


def test_asgi_export_streams_the_same_chunks_without_collecting_them(org, admin, make_event):
    from asgiref.sync import async_to_sync

    from reports.audit_log.selectors import audit_events
    from reports.audit_log.views import _async_chunks, _csv_chunks

    make_event(org, "auth.login", actor=admin)
    events = audit_events(org, {"action": "auth.login"})

    async def collect() -> list[str]:
        return [chunk async for chunk in _async_chunks(_csv_chunks(org, events))]

    chunks = async_to_sync(collect)()
    assert chunks == list(_csv_chunks(org, events))
    assert len(chunks) == 2 and chunks[1].count("auth.login") == 1
