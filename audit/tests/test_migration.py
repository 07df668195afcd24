"""A database that already holds events chained the old way (hash columns on the event, a locked chain head)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from audit.chain import GENESIS, compute_hash
from audit.models import AuditBlock, AuditLink
from audit.sealer import seal_pending
from audit.services import record
from audit.tests.commands import verify
from tenancy import rls

BEFORE = [("audit", "0001_initial")]


def _migrate(targets=None):
    """Migrate to ``targets`` (default: every app's latest); the models of that state."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema(transactional_db):
    """The schema as it was before sealing, whose models write old rows; current and empty again afterwards."""
    apps = _migrate(BEFORE)
    yield apps
    if ("audit", "0002_sealed_blocks") not in MigrationRecorder(connection).applied_migrations():
        apps.get_model("audit", "AuditChainHead").objects.all().delete()
        apps.get_model("audit", "AuditEvent").objects.all().delete()
        _migrate()
    rls.install()  # what migrate's post_migrate does: policies and grants on the recreated tables


def _old_chain(apps, organization, length: int) -> str:
    AuditEvent = apps.get_model("audit", "AuditEvent")
    prev_hash, key = GENESIS, f"org:{organization.pk}"
    for sequence in range(1, length + 1):
        event = AuditEvent(
            organization_id=organization.pk,
            chain_key=key,
            sequence=sequence,
            occurred_at=timezone.now(),
            action="test.old",
            detail={"n": sequence},
            prev_hash=prev_hash,
        )
        event.hash = prev_hash = compute_hash(event, sequence, prev_hash)
        event.save()
    return prev_hash


def _head(apps, organization, sequence: int, last_hash: str) -> None:
    apps.get_model("audit", "AuditChainHead").objects.create(
        organization_id=organization.pk, chain_key=f"org:{organization.pk}", sequence=sequence, last_hash=last_hash
    )


def test_old_chains_keep_verifying_sealed_in_a_first_block(old_schema, org):
    _head(old_schema, org, 3, _old_chain(old_schema, org, 3))
    _migrate()
    assert AuditLink.objects.count() == 3
    block = AuditBlock.objects.get()
    assert (block.number, block.first_sequence, block.last_sequence, block.organization) == (1, 1, 3, org)
    record("test.new", organization=org)
    seal_pending()
    assert AuditLink.objects.get(event__action="test.new").sequence == 4
    assert "Audit log intact: 1 chain(s) verified. 4 event(s) sealed in 2 block(s)." in verify()


def test_an_old_chain_cut_short_stops_the_migration_rather_than_be_sealed(old_schema, org):
    _old_chain(old_schema, org, 2)
    _head(old_schema, org, 3, "0" * 64)
    with pytest.raises(RuntimeError, match=f"Audit chain org:{org.pk} does not end where its head says"):
        _migrate()
