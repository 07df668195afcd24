"""audit_verify against someone who can write the database: a rewritten chain, events left unsealed, a cut-short
or rewritten log compared with the checkpoints kept elsewhere, and keys that rotate."""

import datetime as dt
import hashlib
import hmac
import logging
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from audit import checkpoints
from audit.chain import GENESIS, block_root, compute_hash
from audit.keys import key_id
from audit.models import AuditBlock, AuditEvent, AuditLink
from audit.sealer import seal_pending
from audit.services import record
from audit.tests.commands import verify as _verify
from audit.tests.commands import verify_fails as _verify_fails
from tenancy.context import tenant_context

OTHER_KEY = "a-key-the-attacker-made-up-0123456789abcdef"


@pytest.fixture
def alerts(caplog):
    """Records on the security log (which does not propagate to the root logger that caplog watches)."""
    logger = logging.getLogger("django.security.audit")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


@pytest.fixture
def two_blocks(org, settings, tmp_path):
    """Three events sealed in block 1, two more in block 2, with checkpoints exported to ``tmp_path``."""
    settings.HEARTH_AUDIT_CHECKPOINT_PATH = str(tmp_path)
    with tenant_context(org):
        for i in range(3):
            record("test.first", detail={"i": i})
    seal_pending()
    with tenant_context(org):
        for i in range(2):
            record("test.second", detail={"i": i})
    seal_pending()
    return list(AuditLink.objects.order_by("sequence").select_related("event"))


def _execute(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_a_chain_rewritten_with_the_projects_own_hashes_but_without_the_key_is_caught(org, two_blocks, alerts):
    """The forgery the unkeyed chain allowed: edit an event, recompute every later hash and even the block roots."""
    _execute("UPDATE audit_auditevent SET action = 'test.innocent' WHERE id = %s", [two_blocks[1].pk])
    prev_hash = two_blocks[0].hash
    for link in two_blocks[1:]:
        event = AuditEvent.objects.get(pk=link.pk)
        link.hash = compute_hash(event, link.sequence, prev_hash)
        _execute(
            "UPDATE audit_auditlink SET prev_hash = %s, hash = %s WHERE event_id = %s", [prev_hash, link.hash, link.pk]
        )
        prev_hash = link.hash
    prev_root = GENESIS
    for block in AuditBlock.objects.order_by("number"):
        head = two_blocks[block.last_sequence - 1].hash
        root = block_root(block.chain_key, block.number, block.first_sequence, block.last_sequence, head, prev_root)
        mac = hmac.new(OTHER_KEY.encode(), root.encode(), hashlib.sha256).hexdigest()
        _execute("UPDATE audit_auditblock SET root = %s, mac = %s WHERE id = %s", [root, mac, block.pk])
        prev_root = root
    report = _verify_fails()
    broken = f"org:{org.pk}: link 3 (event {two_blocks[2].pk}) — block 1 has a MAC that does not match its root"
    assert broken in report
    assert any(r.levelname == "ERROR" and broken in r.getMessage() for r in alerts.records)


def test_a_block_whose_root_no_longer_matches_its_links_is_caught(org, two_blocks):
    _execute("UPDATE audit_auditblock SET root = %s WHERE number = 2", ["f" * 64])
    assert f"link 5 (event {two_blocks[4].pk}) — block 2's root does not match its links" in _verify_fails()


def test_events_waiting_for_the_sealer_too_long_raise_an_alert(org, alerts):
    with (
        tenant_context(org),
        mock.patch("audit.services.timezone.now", return_value=timezone.now() - dt.timedelta(minutes=2)),
    ):
        record("test.stuck")
    with tenant_context(org):
        record("test.fresh")
    report = _verify_fails(match="unsealed for longer than 60 s")
    assert "UNSEALED 2 event(s) not sealed yet" in report
    assert "is manage.py seal_audit running?" in report
    assert any(r.levelname == "ERROR" and "UNSEALED" in r.getMessage() for r in alerts.records)
    assert "2 event(s) not sealed yet" in _verify("--max-unsealed-age", "300")  # within the threshold: no alert
    seal_pending()
    assert "Audit log intact: 1 chain(s) verified. 2 event(s) sealed in 1 block(s)." in _verify()


def test_checkpoints_catch_a_log_cut_short_that_verifies_on_its_own(org, two_blocks, tmp_path):
    assert "Audit log intact: 1 chain(s) verified. 5 event(s) sealed in 2 block(s). 2 checkpoint(s) match." in _verify(
        "--checkpoints", str(tmp_path)
    )
    for link in two_blocks[3:]:
        _execute("DELETE FROM audit_auditlink WHERE event_id = %s", [link.pk])
        _execute("DELETE FROM audit_auditevent WHERE id = %s", [link.pk])
    _execute("DELETE FROM audit_auditblock WHERE number = 2", [])
    assert "Audit log intact" in _verify()  # the database alone cannot tell
    report = _verify_fails("--checkpoints", str(tmp_path))
    assert f"org:{org.pk}: block 2 is missing: the chain was cut short" in report


def test_checkpoints_catch_history_rewritten_by_someone_holding_the_key(org, two_blocks, tmp_path):
    for link in two_blocks[3:]:
        _execute("DELETE FROM audit_auditlink WHERE event_id = %s", [link.pk])
    _execute("DELETE FROM audit_auditblock WHERE number = 2", [])
    _execute("UPDATE audit_auditevent SET action = 'test.innocent' WHERE id = %s", [two_blocks[4].pk])
    seal_pending()  # resealed with the real key: the database verifies
    assert "Audit log intact" in _verify()
    report = _verify_fails("--checkpoints", str(tmp_path / f"blocks-{timezone.now():%Y-%m-%d}.jsonl"))
    assert f"org:{org.pk}: block 2 differs from its checkpoint: rewritten" in report


def test_export_is_idempotent_and_cuts_off_a_line_a_killed_sealer_left(org, two_blocks, tmp_path):
    (exported,) = tmp_path.glob("blocks-*.jsonl")
    written = exported.read_text()
    assert len(written.splitlines()) == 2
    assert checkpoints.export(str(tmp_path)) == 0
    with exported.open("a") as handle:
        handle.write('{"block": 99, "chain": "org:')  # killed mid-line
    assert list(checkpoints.read(str(tmp_path))) == list(checkpoints.read(str(exported)))  # read skips it
    with tenant_context(org):
        record("test.third")
    seal_pending()  # exports block 3 after cutting the unfinished line off
    lines = exported.read_text().splitlines()
    assert exported.read_text().startswith(written)
    assert [checkpoint["number"] for checkpoint in checkpoints.read(str(exported))] == [1, 2, 3]
    assert len(lines) == 3


def test_unreadable_checkpoints_stop_verification(org, two_blocks, tmp_path):
    _verify_fails("--checkpoints", str(tmp_path / "nowhere"), match="Cannot read the checkpoints: no checkpoint files")
    (exported,) = tmp_path.glob("blocks-*.jsonl")
    exported.write_text(exported.read_text() + "not json\n")
    _verify_fails("--checkpoints", str(tmp_path), match="line 3: not a checkpoint")


def test_blocks_sealed_before_a_key_rotation_still_verify(org, two_blocks, settings):
    old_key = settings.HEARTH_AUDIT_KEYS[0]
    block = AuditBlock.objects.get(number=1)
    assert block.key_id == key_id(old_key)
    assert block.mac == hmac.new(old_key.encode(), block.root.encode(), hashlib.sha256).hexdigest()
    settings.HEARTH_AUDIT_KEYS = [OTHER_KEY, old_key]
    with tenant_context(org):
        record("test.after_rotation")
    seal_pending()
    assert AuditBlock.objects.get(number=3).key_id == key_id(OTHER_KEY)
    assert "Audit log intact" in _verify()
    settings.HEARTH_AUDIT_KEYS = [OTHER_KEY]
    assert f"block 1 was sealed with key {key_id(old_key)}, which is not configured" in _verify_fails()
