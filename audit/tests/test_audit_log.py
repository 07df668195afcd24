from itertools import pairwise

import pytest
from django.db import DatabaseError, connection, transaction

from audit.chain import GENESIS, block_root, compute_hash
from audit.models import AppendOnlyError, AuditBlock, AuditEvent, AuditLink
from audit.sealer import seal_pending
from audit.services import record
from audit.tests.commands import verify as _verify
from audit.tests.commands import verify_fails as _verify_fails
from tenancy.context import tenant_context


@pytest.fixture
def chain(org, other_org, admin):
    with tenant_context(org):
        events = [record(f"test.event{i}", actor=admin.user, object_type="x", object_id=str(i)) for i in range(4)]
    with tenant_context(other_org):
        record("test.other")
    seal_pending()
    return [AuditLink.objects.get(pk=event.pk) for event in events]  # each event's place in its chain


def test_each_clinic_has_its_own_chain_linked_by_hashes(chain, org, other_org):
    assert [e.sequence for e in chain] == [1, 2, 3, 4]
    assert chain[0].prev_hash == GENESIS
    for previous, current in pairwise(chain):
        assert current.prev_hash == previous.hash
    head = AuditBlock.objects.get(chain_key=f"org:{org.pk}")  # the sealed head of the chain
    assert head.root == block_root(f"org:{org.pk}", 1, 1, 4, chain[-1].hash, GENESIS)
    other = AuditLink.objects.get(organization=other_org)
    assert (other.sequence, other.prev_hash) == (1, GENESIS)


def test_stored_rows_hash_back_to_their_recorded_hash(chain):
    for link in AuditLink.objects.select_related("event"):
        assert compute_hash(link.event, link.sequence, link.prev_hash) == link.hash


def test_audit_verify_passes_on_an_intact_log(chain):
    assert "Audit log intact: 2 chain(s) verified." in _verify()


def test_audit_verify_reports_an_edited_row(chain, org):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'test.innocent' WHERE id = %s", [chain[1].pk])
    report = _verify_fails()
    assert f"org:{org.pk}: link 2 (event {chain[1].pk}) — row contents do not match its hash" in report


def test_audit_verify_reports_a_deleted_row(chain, org):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditlink WHERE event_id = %s", [chain[2].pk])  # with the event it links
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [chain[2].pk])
    assert f"org:{org.pk}: link 3 (end of chain) — missing link (next found is 4)" in _verify_fails()


def test_audit_verify_reports_a_truncated_tail(chain, org):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditlink WHERE event_id = %s", [chain[3].pk])  # with the event it links
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [chain[3].pk])
    assert "chain ends at 3 but its head records 4" in _verify_fails()


def test_audit_verify_reports_a_rehashed_row(chain, org):
    """Recomputing a tampered row's own hash still breaks the next row's link."""
    event = AuditEvent.objects.get(pk=chain[1].pk)
    event.action = "test.innocent"
    new_hash = compute_hash(event, chain[1].sequence, chain[1].prev_hash)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["test.innocent", event.pk])
        cursor.execute("UPDATE audit_auditlink SET hash = %s WHERE event_id = %s", [new_hash, event.pk])
    assert f"link 3 (event {chain[2].pk}) — previous-hash does not match" in _verify_fails()


def test_the_application_cannot_update_or_delete_events(chain):
    event = AuditEvent.objects.get(pk=chain[0].pk)
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_request_role_cannot_update_or_delete_events_in_postgres(pg_only, chain, org):
    with tenant_context(org), connection.cursor() as cursor:
        for statement in ("UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"):
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                cursor.execute(statement)
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        assert cursor.fetchone()[0] == 4  # its own clinic's rows only


def test_events_record_request_details_without_phi(org, admin, clinic_client):
    client = clinic_client(org, admin)
    client.get("/staff/", HTTP_USER_AGENT="TestBrowser/1.0", REMOTE_ADDR="203.0.113.9")
    client.get("/staff/999999/", HTTP_USER_AGENT="TestBrowser/1.0", REMOTE_ADDR="203.0.113.9")
    event = AuditEvent.objects.get(action="access.not_found")
    assert event.ip_address == "203.0.113.9"
    assert event.user_agent == "TestBrowser/1.0"
    assert event.actor_label == admin.user.email
    assert (event.object_type, event.object_id) == ("accounts.membership", "999999")


def test_forwarded_for_is_trusted_only_behind_configured_proxies(org, admin, clinic_client, settings):
    client = clinic_client(org, admin)
    client.get("/staff/0/", HTTP_X_FORWARDED_FOR="198.51.100.1", REMOTE_ADDR="10.0.0.5")
    settings.HEARTH_TRUSTED_PROXY_HOPS = 1
    client.get("/staff/0/", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1", REMOTE_ADDR="10.0.0.5")
    first, second = AuditEvent.objects.filter(action="access.not_found").order_by("pk")
    assert first.ip_address == "10.0.0.5"
    assert second.ip_address == "198.51.100.1"
