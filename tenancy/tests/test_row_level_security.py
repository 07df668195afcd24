"""PostgreSQL row-level security: even SQL that forgets the clinic filter returns nothing foreign."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tenancy.context import tenant_context
from tenancy.rls import isolated_models


def _usernames(cursor) -> set[str]:
    cursor.execute("SELECT username FROM accounts_membership")
    return {row[0] for row in cursor.fetchall()}


def test_raw_sql_without_a_filter_sees_only_the_current_clinic(pg_only, org, other_org, admin, outsider):
    with tenant_context(org), connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == "hearth_app"
        assert _usernames(cursor) == {"alice"}
    with tenant_context(other_org), connection.cursor() as cursor:
        assert _usernames(cursor) == {"oscar"}


def test_raw_sql_cannot_write_into_another_clinic(pg_only, org, other_org, admin, outsider):
    with tenant_context(org), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_membership SET title = 'hijacked' WHERE id = %s", [outsider.pk])
        assert cursor.rowcount == 0
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            cursor.execute(
                "INSERT INTO accounts_roleassignment (organization_id, membership_id, role) VALUES (%s, %s, 'x')",
                [other_org.pk, outsider.pk],
            )


def test_request_role_sees_nothing_without_a_clinic_setting(pg_only, admin, outsider):
    with connection.cursor() as cursor:
        cursor.execute("SET ROLE hearth_app")
        try:
            assert _usernames(cursor) == set()
        finally:
            cursor.execute("RESET ROLE")


def test_every_tenant_table_has_a_policy(pg_only):
    tables = {model._meta.db_table for model in isolated_models()}
    assert {"accounts_membership", "accounts_roleassignment", "audit_auditevent"} <= tables
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_policies WHERE policyname = 'hearth_tenant_isolation'")
        protected = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT relname FROM pg_class WHERE relrowsecurity AND relname = ANY(%s)", [list(tables)])
        enabled = {row[0] for row in cursor.fetchall()}
    assert tables <= protected
    assert tables <= enabled


def test_middleware_runs_requests_under_the_restricted_role_and_resets_it(pg_only, org, admin, clinic_client):
    client = clinic_client(org, admin)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/staff/")
    assert response.status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    assert "tenancy_organization" in statements[0]  # host resolution, before any tenant data
    assert "set_config('role', 'hearth_app'" in statements[1]
    assert f"'{org.pk}'" in statements[1]
    assert "set_config('role', 'none'" in statements[-1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_setting('app.current_organization', true)")
        user, setting = cursor.fetchone()
    assert user != "hearth_app"
    assert not setting
