"""The sealer as a real process (``manage.py seal_audit --every …``): killed with SIGKILL mid-work and restarted, or
running beside two writing processes, it seals every event exactly once and the log verifies against its checkpoints.

The processes share the test database: on SQLite a file copy of it, on PostgreSQL the test database itself.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

KEY = "a-key-for-the-sealer-process-tests-0123456789"
WRITER = """
import sys

import django

django.setup()
from django.db import transaction

from audit.services import record
from tenancy.models import Organization

organization = Organization.objects.get(slug=sys.argv[1])
for i in range(int(sys.argv[2])):
    with transaction.atomic():
        record("test.appended", organization=organization, detail={"i": i})
        record("test.appended", organization=organization, detail={"i": i, "second": True})
"""


@dataclass
class SharedDatabase:
    env: dict[str, str]
    query: Callable[[str], list[tuple]]
    checkpoints: Path

    def count(self, table: str) -> int:
        return self.query(f"SELECT count(*) FROM {table}")[0][0]

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, *args], cwd=settings.BASE_DIR, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )

    def sealer(self) -> subprocess.Popen:
        return self.start("manage.py", "seal_audit", "--every", "0.02", "--batch", "25")

    def writer(self, slug: str, transactions: int) -> subprocess.Popen:
        return self.start("-c", WRITER, slug, str(transactions))


@pytest.fixture
def shared_db(transactional_db, org, other_org, tmp_path) -> SharedDatabase:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hearth.settings", "HEARTH_VAR_DIR": str(tmp_path)}
    env |= {"HEARTH_AUDIT_KEY": KEY, "HEARTH_AUDIT_CHECKPOINT_PATH": str(tmp_path / "checkpoints")}
    if connection.vendor == "sqlite":
        path = tmp_path / "hearth.sqlite3"
        connection.ensure_connection()
        with closing(sqlite3.connect(path)) as copy:
            connection.connection.backup(copy)
        env["DATABASE_URL"] = f"sqlite:///{path}"

        def query(sql: str) -> list[tuple]:
            with closing(sqlite3.connect(path, timeout=20)) as db:
                return db.execute(sql).fetchall()

    else:
        db = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"

        def query(sql: str) -> list[tuple]:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()

    return SharedDatabase(env, query, tmp_path / "checkpoints")


def _until(condition: Callable[[], bool], what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.02)


def _finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    return out.decode()


def _exported(db: SharedDatabase) -> list[tuple]:
    return [
        (checkpoint["chain"], checkpoint["number"], checkpoint["root"], checkpoint["mac"])
        for file in sorted(db.checkpoints.glob("blocks-*.jsonl"))
        for checkpoint in map(json.loads, file.read_text().splitlines())
    ]


def _stop_when_done(db: SharedDatabase, sealer: subprocess.Popen, events: int) -> None:
    _until(lambda: db.count("audit_auditlink") == events, "everything is sealed")
    _until(lambda: len(_exported(db)) == db.count("audit_auditblock"), "every block is exported")
    sealer.send_signal(signal.SIGINT)
    _finish(sealer)


def _assert_sealed_exactly_once(db: SharedDatabase, events: int) -> None:
    assert db.count("audit_auditevent") == db.count("audit_auditlink") == events
    for chain, links, last in db.query("SELECT chain_key, count(*), max(sequence) FROM audit_auditlink GROUP BY 1"):
        assert links == last, f"{chain}: gaps or repeats in its sequence"
    blocks = db.query("SELECT chain_key, number, root, mac FROM audit_auditblock")
    covered = db.query("SELECT sum(last_sequence - first_sequence + 1) FROM audit_auditblock")[0][0]
    assert covered == events
    assert sorted(_exported(db)) == sorted(blocks)  # each block exported once
    verified = _finish(db.start("manage.py", "audit_verify", "--checkpoints", str(db.checkpoints)))
    assert f"{events} event(s) sealed in {len(blocks)} block(s). {len(blocks)} checkpoint(s) match." in verified


def test_a_sealer_killed_mid_work_loses_nothing_and_seals_nothing_twice(shared_db):
    _finish(shared_db.writer("riverside", 150))
    _finish(shared_db.writer("lakeside", 50))
    total = 400
    for _ in range(3):
        sealed = shared_db.count("audit_auditlink")
        sealer = shared_db.sealer()
        _until(lambda: shared_db.count("audit_auditlink") >= sealed + 40, "the sealer made progress")  # noqa: B023
        sealer.send_signal(signal.SIGKILL)
        sealer.communicate(timeout=30)
    assert shared_db.count("audit_auditlink") < total  # killed mid-work, every time
    _stop_when_done(shared_db, shared_db.sealer(), total)
    _assert_sealed_exactly_once(shared_db, total)


def test_two_writers_appending_while_the_sealer_runs_lose_nothing(shared_db):
    sealer = shared_db.sealer()
    writers = [shared_db.writer("riverside", 100), shared_db.writer("riverside", 100)]
    for writer in writers:
        _finish(writer)
    _stop_when_done(shared_db, sealer, 400)
    _assert_sealed_exactly_once(shared_db, 400)
