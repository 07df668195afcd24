"""The sealer: links appended audit events into their chains and seals them in blocks authenticated with a key.

``record()`` only INSERTs an event, so audited requests never wait for each other. The sealer (``manage.py
seal_audit --every 2``; one per installation, as the database owner) works in rounds, each one transaction:

1. it picks up the events that have no link yet, by id above a floor below which every event is known to be sealed;
2. it gives each, per chain and in the order picked up, the chain's next sequence number and its hash link
   (``AuditLink``);
3. it closes one block per chain touched (``AuditBlock``), whose root is authenticated with the key (``audit.keys``);

then, after the commit, it appends the new blocks to the checkpoint files (``audit.checkpoints``).

A sealer killed at any moment leaves a whole round or nothing, and the next one starts over from the database.
Nothing can be sealed twice: an event's link is keyed by the event, and a chain's sequence and block numbers are
unique. Rounds also take a lock (an advisory lock on PostgreSQL; SQLite's write lock), so a second sealer only
waits its turn.

Id order is not commit order: a long transaction may commit an event whose id is below events already sealed. So
the floor only rises past settled ids, which no running transaction can still commit. On PostgreSQL that is read
from transaction snapshots: the highest id seen at one moment is settled once every transaction that was running a
little later (``SETTLE_AFTER``, so that a writer that had just drawn its id has also begun) has ended. SQLite lets
one transaction write at a time, so every id below the highest committed one is settled at once. A new sealer
starts from floor 0, so its first round looks at every event: an insert stalled for longer than ``SETTLE_AFTER``
between drawing its id and writing its row would be sealed only then, and ``audit_verify`` alerts on any event
left unsealed.
"""

import time
from collections import defaultdict, deque
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from audit import checkpoints, keys
from audit.chain import GENESIS, block_root, compute_hash
from audit.logging import integrity_log
from audit.models import AuditBlock, AuditEvent, AuditLink

SEALER_LOCK = 0x6865617274680A01  # pg_advisory_xact_lock key: one sealing round at a time
SETTLE_AFTER = 1.0  # seconds


@dataclass(frozen=True)
class Round:
    events: int
    blocks: int
    more: bool  # the batch was full: run again without waiting


class Sealer:
    """Seals in rounds (``run_round``), remembering between rounds how far every event is known to be sealed."""

    def __init__(self, *, batch: int = 5000, settle_after: float = SETTLE_AFTER) -> None:
        self.batch, self.settle_after = batch, settle_after
        self._floor = 0  # every event at or below this id is sealed, or can never appear
        self._settled = 0  # no event at or below this id can still appear
        self._seen: deque[tuple[int, float]] = deque()  # (highest id, when), PostgreSQL
        self._waiting: deque[tuple[int, int]] = deque()  # (highest id, xmax of a snapshot taken after)
        self._exported = False  # a sealer killed after a commit may have left blocks to export: first round does

    def run_round(self) -> Round:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEALER_LOCK])
            settled = self._settle()
            events = list(AuditEvent.objects.filter(pk__gt=self._floor, link__isnull=True).order_by("pk")[: self.batch])
            chains: dict[str, list[AuditEvent]] = defaultdict(list)
            for event in events:
                chains[event.chain_key].append(event)
            for chain_key, chain_events in chains.items():
                _seal_chain(chain_key, chain_events)
        more = len(events) == self.batch
        self._floor = max(self._floor, min(settled, events[-1].pk) if more else settled)
        if chains or not self._exported:
            self._export()
        return Round(len(events), len(chains), more)

    def _settle(self) -> int:
        """Raise and return the settled id (see the module docstring); runs before the round's scan."""
        newest = AuditEvent.objects.aggregate(newest=Max("pk"))["newest"] or 0
        if connection.vendor != "postgresql":
            self._settled = max(self._settled, newest)
            return self._settled
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, "
                "pg_snapshot_xmax(pg_current_snapshot())::text::bigint"
            )
            xmin, xmax = cursor.fetchone()
        now = time.monotonic()
        while self._seen and now - self._seen[0][1] >= self.settle_after:
            self._waiting.append((self._seen.popleft()[0], xmax))
        self._seen.append((newest, now))
        while self._waiting and self._waiting[0][1] <= xmin:
            self._settled = max(self._settled, self._waiting.popleft()[0])
        return self._settled

    def _export(self) -> None:
        """Append new blocks to the checkpoints; a failure is logged and retried after the next round."""
        path = settings.HEARTH_AUDIT_CHECKPOINT_PATH
        if not path:
            return
        try:
            checkpoints.export(path)
        except OSError:
            self._exported = False
            integrity_log.exception("Could not write audit checkpoints to %s; retrying after the next round.", path)
        else:
            self._exported = False  # a sealer killed after a commit may have left blocks to export: first round does


def _seal_chain(chain_key: str, events: list[AuditEvent]) -> AuditBlock:
    """Link ``events`` after the chain's last link, in this order, and close a block over them."""
    last = AuditLink.objects.filter(chain_key=chain_key).order_by("-sequence").only("sequence", "hash").first()
    sequence, head = (last.sequence, last.hash) if last else (0, GENESIS)
    links = []
    for event in events:
        sequence += 1
        links.append(
            AuditLink(
                event=event,
                organization_id=event.organization_id,
                chain_key=chain_key,
                sequence=sequence,
                prev_hash=head,
                hash=compute_hash(event, sequence, head),
            )
        )
        head = links[-1].hash
    AuditLink.objects.bulk_create(links)
    previous = AuditBlock.objects.filter(chain_key=chain_key).order_by("-number").first()
    number, first = (previous.number + 1, previous.last_sequence + 1) if previous else (1, 1)
    root = block_root(chain_key, number, first, sequence, head, previous.root if previous else GENESIS)
    key_id, mac = keys.sign(root)
    return AuditBlock.objects.create(
        organization_id=events[0].organization_id,
        chain_key=chain_key,
        number=number,
        first_sequence=first,
        last_sequence=sequence,
        root=root,
        key_id=key_id,
        mac=mac,
        sealed_at=timezone.now(),
    )


def seal_pending(*, batch: int = 5000) -> tuple[int, int]:
    """Seal everything appended so far; ``(events, blocks)`` sealed. One-shot runs and tests use it."""
    sealer, events, blocks = Sealer(batch=batch), 0, 0
    while True:
        done = sealer.run_round()
        events, blocks = events + done.events, blocks + done.blocks
        if not done.more:
            return events, blocks
