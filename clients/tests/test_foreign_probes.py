"""A probe of another clinic's ids is recorded in the owning clinic too, and tells the asker nothing new."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEvent
from audit.probes import ACTOR_LABEL, FOREIGN_PROBE
from clients.tests.factories import create_client
from tenancy.context import tenant_context
from tenancy.owner import owning_organization_id

MISSING_ID = 987654


@pytest.fixture
def theirs(other_org, make_member):
    return create_client(other_org, first="Olga", last="Outside", primary=make_member(other_org, "olga", "clinician"))


def _page(response, pk) -> str:
    """The page with what differs by design (the path asked for, CSRF tokens) taken out."""
    page = response.content.decode().replace(f"/clients/{pk}/", "/clients/N/")
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", page)


def _events(organization, action):
    return list(AuditEvent.objects.filter(organization=organization, action=action).order_by("pk"))


def test_the_owning_clinic_sees_the_refused_request_without_the_askers_details(
    org, other_org, clinician, theirs, make_member, clinic_client
):
    asker = clinic_client(org, clinician)
    assert asker.get(f"/clients/{theirs.pk}/", REMOTE_ADDR="192.0.2.44").status_code == 404
    [refused] = _events(org, "access.not_found")
    [probe] = _events(other_org, FOREIGN_PROBE)
    assert (probe.object_type, probe.object_id) == ("clients.client", str(theirs.pk))
    assert probe.detail == {"reference": refused.detail["reference"]}  # the vendor can match the two
    assert probe.actor is None and probe.actor_label == ACTOR_LABEL
    assert probe.ip_address is None and probe.user_agent == "" and probe.chain_key == f"org:{other_org.pk}"
    lakeside_admin = make_member(other_org, "lena", "administrator")
    report = clinic_client(other_org, lakeside_admin).get("/audit/").content.decode()
    assert FOREIGN_PROBE in report and str(theirs.pk) in report
    for revealing in [org.name, org.slug, "carol", clinician.user.email, "192.0.2.44"]:
        assert revealing not in report


def test_the_asker_learns_nothing_about_whether_the_id_exists_elsewhere(
    org, other_org, clinician, theirs, clinic_client
):
    asker = clinic_client(org, clinician)
    foreign = asker.get(f"/clients/{theirs.pk}/")
    missing = asker.get(f"/clients/{MISSING_ID}/")
    assert foreign.status_code == missing.status_code == 404
    assert _page(foreign, theirs.pk) == _page(missing, MISSING_ID)
    first, second = _events(org, "access.not_found")
    assert set(first.detail) == set(second.detail) == {"permission", "reference"}
    assert first.detail["reference"] != second.detail["reference"]
    assert len(_events(other_org, FOREIGN_PROBE)) == 1  # the missing id belongs to no one
    assert not _events(org, FOREIGN_PROBE)


def test_the_response_does_the_same_work_whether_or_not_the_id_exists_elsewhere(
    org, other_org, clinician, theirs, clinic_client, settings
):
    """With the real (queued) task backend the look-up is not part of the request: same statements either way."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    asker = clinic_client(org, clinician)
    asker.get("/")  # the session's first-request work out of the way
    counts = []
    for pk in [theirs.pk, MISSING_ID]:
        with CaptureQueriesContext(connection) as queries:
            assert asker.get(f"/clients/{pk}/").status_code == 404
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert not _events(other_org, FOREIGN_PROBE)  # queued, not run inside the request
    queued = list(DBTaskResult.objects.all())
    assert len(queued) == 2  # one per miss, whether or not the id exists anywhere
    for result in queued:  # what the worker does with each
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
    [probe] = _events(other_org, FOREIGN_PROBE)
    assert probe.object_id == str(theirs.pk)


def test_ones_own_ids_and_ids_of_no_clinic_are_not_reported_elsewhere(org, other_org, clinician, clinic_client):
    mine = create_client(org, primary=clinician)
    assert owning_organization_id(type(mine), mine.pk) == org.pk
    assert owning_organization_id(type(mine), "not-a-number") is None
    assert owning_organization_id(type(mine), MISSING_ID) is None
    clinic_client(org, clinician).get(f"/clients/{MISSING_ID}/")
    assert not AuditEvent.objects.filter(action=FOREIGN_PROBE).exists()


def test_on_postgres_the_request_role_finds_the_owner_but_never_the_row(pg_only, org, other_org, theirs):
    with tenant_context(org):
        assert not type(theirs).objects.filter(pk=theirs.pk).exists()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM clients_client WHERE id = %s", [theirs.pk])
            assert cursor.fetchone()[0] == 0  # row-level security hides it from plain SQL too
        assert owning_organization_id(type(theirs), theirs.pk) == other_org.pk
        with connection.cursor() as cursor:
            cursor.execute("SELECT hearth_row_owner('accounts_user'::regclass, '1')")  # no clinic column: nothing
            assert cursor.fetchone()[0] is None
            cursor.execute("SELECT hearth_row_owner('clients_client'::regclass, 'x; DROP TABLE clients_client')")
            assert cursor.fetchone()[0] is None


def test_other_kinds_of_record_are_reported_the_same_way(org, other_org, admin, outsider, clinic_client):
    assert clinic_client(org, admin).get(f"/staff/{outsider.pk}/").status_code == 404
    [probe] = _events(other_org, FOREIGN_PROBE)
    assert (probe.object_type, probe.object_id) == ("accounts.membership", str(outsider.pk))
