"""Appending takes one INSERT and no lock; the sealer links and seals every event exactly once, in pick-up order."""

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AppendOnlyError, AuditBlock, AuditEvent, AuditLink
from audit.sealer import Sealer, seal_pending
from audit.services import record
from audit.tests.commands import verify as _verify
from tenancy.context import tenant_context


def _seal_audit(*args: str) -> str:
    out = StringIO()
    call_command("seal_audit", *args, stdout=out)
    return out.getvalue()


def _state() -> tuple[list, list]:
    return (
        list(AuditLink.objects.order_by("pk").values_list()),
        list(AuditBlock.objects.order_by("pk").values_list()),
    )


def test_recording_is_one_insert_and_takes_no_lock(org, django_assert_num_queries):
    with tenant_context(org), django_assert_num_queries(1) as captured:
        event = record("test.appended", detail={"n": 1})
    assert captured.captured_queries[0]["sql"].startswith("INSERT INTO")
    assert not AuditLink.objects.filter(pk=event.pk).exists()  # linked later, by the sealer


def test_sealing_links_each_chain_in_pick_up_order_and_closes_one_block_per_chain(org, other_org):
    for i in range(3):
        with tenant_context(org):
            record("test.mine", detail={"i": i})
        with tenant_context(other_org):
            record("test.theirs", detail={"i": i})
    record("test.system")
    assert seal_pending() == (7, 3)
    mine = list(AuditLink.objects.filter(chain_key=f"org:{org.pk}").order_by("sequence").select_related("event"))
    assert [link.sequence for link in mine] == [1, 2, 3]
    assert [link.event.detail["i"] for link in mine] == [0, 1, 2]
    assert [link.pk for link in mine] == sorted(link.pk for link in mine)
    assert AuditLink.objects.get(chain_key="system").sequence == 1
    block = AuditBlock.objects.get(chain_key=f"org:{org.pk}")
    assert (block.number, block.first_sequence, block.last_sequence, block.organization) == (1, 1, 3, org)
    with tenant_context(org):
        record("test.later")
    seal_pending()
    later = AuditBlock.objects.get(chain_key=f"org:{org.pk}", number=2)
    assert (later.first_sequence, later.last_sequence) == (4, 4)
    assert "Audit log intact: 3 chain(s) verified. 8 event(s) sealed in 4 block(s)." in _verify()


def test_sealing_again_changes_nothing(org):
    with tenant_context(org):
        for i in range(3):
            record("test.appended", detail={"i": i})
    assert _seal_audit() == "Sealed 3 event(s) in 1 block(s).\n"
    sealed = _state()
    assert _seal_audit() == "Sealed 0 event(s) in 0 block(s).\n"
    assert Sealer().run_round().events == 0
    assert _state() == sealed


def test_a_full_batch_is_followed_at_once_by_the_next(org):
    with tenant_context(org):
        for i in range(5):
            record("test.appended", detail={"i": i})
    sealer = Sealer(batch=2)
    assert [sealer.run_round().more for _ in range(3)] == [True, True, False]
    assert list(AuditBlock.objects.order_by("number").values_list("first_sequence", "last_sequence")) == [
        (1, 2),
        (3, 4),
        (5, 5),
    ]


def test_the_application_cannot_change_links_or_blocks(org):
    with tenant_context(org):
        record("test.appended")
    seal_pending()
    for model in (AuditLink, AuditBlock):
        row = model.objects.get()
        with pytest.raises(AppendOnlyError):
            row.save()
        with pytest.raises(AppendOnlyError):
            row.delete()
        with pytest.raises(AppendOnlyError):
            model.objects.update(chain_key="x")
        with pytest.raises(AppendOnlyError):
            model.objects.all().delete()


def test_the_request_role_cannot_write_links_or_blocks_in_postgres(pg_only, org, other_org):
    for organization in (org, other_org):
        with tenant_context(organization):
            record("test.appended")
    seal_pending()
    event = AuditEvent.objects.get(organization=org)
    statements = [
        ("INSERT INTO audit_auditlink (event_id, organization_id, chain_key, sequence, prev_hash, hash) "
         "VALUES (%s, %s, 'x', 99, 'p', 'h')", [event.pk, org.pk]),
        ("INSERT INTO audit_auditblock (organization_id, chain_key, number, first_sequence, last_sequence, root, "
         "key_id, mac, sealed_at) VALUES (%s, 'x', 99, 1, 1, 'r', 'k', 'm', now())", [org.pk]),
        ("UPDATE audit_auditlink SET hash = 'x'", []),
        ("UPDATE audit_auditblock SET mac = 'x'", []),
        ("DELETE FROM audit_auditlink", []),
        ("DELETE FROM audit_auditblock", []),
    ]  # fmt: skip
    with tenant_context(org), connection.cursor() as cursor:
        for statement, params in statements:
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                cursor.execute(statement, params)
        cursor.execute("SELECT count(*) FROM audit_auditlink")
        assert cursor.fetchone()[0] == 1  # its own clinic's link only


@pytest.fixture
def concurrent_writers(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "writing transactions overlap only on PostgreSQL (SQLite writes one at a time; test_sealer_process "
            "covers it there); set DATABASE_URL=postgres://… to run"
        )


def _in_thread(target, *args) -> threading.Thread:
    def run():
        try:
            target(*args)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_an_event_committed_after_later_ones_were_sealed_is_sealed_too(concurrent_writers, org):
    """Id order is not commit order: a long transaction's event, with the lowest id, commits last."""
    holding, release = threading.Event(), threading.Event()

    def long_transaction():
        with transaction.atomic():
            record("test.slow", organization=org)
            holding.set()
            release.wait(10)

    writer = _in_thread(long_transaction)
    assert holding.wait(10)
    fast = [record("test.fast", organization=org) for _ in range(3)]
    sealer = Sealer(settle_after=0)
    assert sealer.run_round().events == 3
    assert sealer.run_round().events == 0  # the slow event is not committed yet
    release.set()
    writer.join()
    assert sealer.run_round().events == 1
    slow = AuditLink.objects.select_related("event").get(event__action="test.slow")
    assert slow.pk < min(event.pk for event in fast)
    assert slow.sequence == 4
    assert "Audit log intact: 1 chain(s) verified. 4 event(s) sealed in 2 block(s)." in _verify()


def test_two_writers_appending_while_the_sealer_runs_lose_nothing_in_postgres(concurrent_writers, org):
    done = threading.Event()

    def write(organization):
        for i in range(60):
            with transaction.atomic():
                record("test.appended", organization=organization, detail={"i": i})
                record("test.appended", organization=organization, detail={"i": i, "second": True})

    def seal():
        sealer = Sealer(batch=7, settle_after=0)
        while not done.is_set():
            sealer.run_round()

    sealing = _in_thread(seal)
    writers = [_in_thread(write, org) for _ in range(2)]
    for writer in writers:
        writer.join()
    done.set()
    sealing.join()
    seal_pending()
    assert AuditEvent.objects.count() == AuditLink.objects.count() == 240
    assert sorted(AuditLink.objects.values_list("sequence", flat=True)) == list(range(1, 241))
    assert "Audit log intact: 1 chain(s) verified. 240 event(s) sealed in" in _verify()
