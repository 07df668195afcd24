"""The audit chain's arithmetic: link hashes, block roots, and the walk that verifies one chain.

A link's hash is SHA-256 over its event's recorded fields, its sequence and the previous link's hash, so editing,
removing or reordering an event breaks every later link. Anyone with this code can recompute those hashes, so a
block's root is also authenticated with a key kept outside the database (``audit.keys``); ``verify_chain`` checks
both, and a chain rewritten without the key fails at its first block.
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

GENESIS = "0" * 64


def chain_key_for(organization_id: int | None) -> str:
    return f"org:{organization_id}" if organization_id is not None else "system"


def _digest(payload: list) -> str:
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def compute_hash(event, sequence: int, prev_hash: str) -> str:
    """SHA-256 over every recorded field, the event's place and the previous link, in a canonical JSON form.

    The same form as before links moved out of the event row, so events chained then still verify.
    """
    return _digest(
        [
            prev_hash,
            event.chain_key,
            sequence,
            event.occurred_at.isoformat(timespec="microseconds"),
            event.organization_id,
            event.actor_id,
            event.actor_label,
            event.action,
            event.object_type,
            event.object_id,
            event.client_id,
            event.outcome,
            event.ip_address,
            event.user_agent,
            event.detail,
        ]
    )


def block_root(chain_key: str, number: int, first_sequence: int, last_sequence: int, head: str, prev_root: str) -> str:
    """A block's root: its place in the chain of blocks and the hash of its last link, which covers all before."""
    return _digest(["block", chain_key, number, first_sequence, last_sequence, head, prev_root])


@dataclass(frozen=True)
class BrokenLink:
    chain_key: str
    sequence: int
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"event {self.event_id}" if self.event_id is not None else "end of chain"
        return f"{self.chain_key}: link {self.sequence} ({where}) — {self.reason}"


@dataclass
class ChainReport:
    """What ``verify_chain`` found: links and blocks that verified, the first break if any, and the links that
    verify but no block seals yet (with the oldest one's time)."""

    chain_key: str
    links: int = 0
    blocks: int = 0
    problem: BrokenLink | None = None
    unsealed: int = 0
    unsealed_since: datetime | None = None

    def broken(self, sequence: int, event_id: int | None, reason: str) -> "ChainReport":
        self.problem = BrokenLink(self.chain_key, sequence, event_id, reason)
        return self


def verify_chain(
    chain_key: str, links: Iterable, blocks: Iterable, authenticate: Callable[[object], str | None]
) -> ChainReport:
    """Walk one chain's links (with their events, by sequence) beside its blocks (by number); stop at the first break.

    Every link must follow the previous one and hash back to its event; every block must start where the previous
    one ended, its root must match the links it covers, and ``authenticate(block)`` (``audit.keys.check``) must
    accept its MAC. A block claiming links the chain no longer has reveals a deleted tail.
    """
    report = ChainReport(chain_key)
    sequence, prev_hash = 0, GENESIS
    blocks = _Blocks(chain_key, iter(blocks))
    for link in links:
        sequence += 1
        if link.sequence != sequence:
            return report.broken(sequence, None, f"missing link (next found is {link.sequence})")
        if link.prev_hash != prev_hash:
            return report.broken(sequence, link.pk, "previous-hash does not match")
        event = link.event
        if event.chain_key != chain_key or compute_hash(event, sequence, prev_hash) != link.hash:
            return report.broken(sequence, link.pk, "row contents do not match its hash")
        prev_hash = link.hash
        report.links += 1
        if blocks.current is None or blocks.current.last_sequence != sequence:
            report.unsealed += 1
            report.unsealed_since = report.unsealed_since or event.occurred_at
            continue
        if reason := blocks.close(prev_hash, authenticate):
            return report.broken(sequence, link.pk, reason)
        report.blocks += 1
        report.unsealed, report.unsealed_since = 0, None
    if blocks.current is not None:
        return report.broken(sequence + 1, None, f"chain ends at {sequence} but its head records {blocks.last()}")
    return report


class _Blocks:
    """A chain's blocks in order; ``close`` checks the current one against the links it covers, then moves on."""

    def __init__(self, chain_key: str, blocks: Iterator) -> None:
        self.chain_key, self.blocks = chain_key, blocks
        self.number, self.sealed_through, self.root = 0, 0, GENESIS
        self.current = next(blocks, None)

    def close(self, head: str, authenticate: Callable[[object], str | None]) -> str:
        block = self.current
        if block.number != self.number + 1 or block.first_sequence != self.sealed_through + 1:
            return f"block {block.number} does not follow block {self.number}"
        root = block_root(self.chain_key, block.number, block.first_sequence, block.last_sequence, head, self.root)
        if root != block.root:
            return f"block {block.number}'s root does not match its links"
        if reason := authenticate(block):
            return f"block {block.number} {reason}"
        self.number, self.sealed_through, self.root = block.number, block.last_sequence, block.root
        self.current = next(self.blocks, None)
        return ""

    def last(self) -> int:
        """The last sequence the remaining blocks claim."""
        last = self.current.last_sequence
        for block in self.blocks:
            last = max(last, block.last_sequence)
        return last
