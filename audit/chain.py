"""Hashing and verification of the audit chain."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64


def chain_key_for(organization_id: int | None) -> str:
    return f"org:{organization_id}" if organization_id is not None else "system"


def compute_hash(event, prev_hash: str) -> str:
    """SHA-256 over every recorded field and the previous link, in a canonical JSON form."""
    payload = [
        prev_hash,
        event.chain_key,
        event.sequence,
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
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    chain_key: str
    sequence: int
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"event {self.event_id}" if self.event_id is not None else "end of chain"
        return f"{self.chain_key}: link {self.sequence} ({where}) — {self.reason}"


def verify(events: Iterable, heads: dict[str, int]) -> list[BrokenLink]:
    """Walk events ordered by (chain_key, sequence); report the first broken link of each chain.

    ``heads`` maps chain keys to the sequence their head records, which catches a deleted tail.
    """
    problems: dict[str, BrokenLink] = {}
    last_seen: dict[str, tuple[int, str]] = {}
    for event in events:
        key = event.chain_key
        if key in problems:
            continue
        expected_sequence, expected_prev = last_seen.get(key, (0, GENESIS))
        expected_sequence += 1
        if event.sequence != expected_sequence:
            problems[key] = BrokenLink(key, expected_sequence, None, f"missing link (next found is {event.sequence})")
        elif event.prev_hash != expected_prev:
            problems[key] = BrokenLink(key, event.sequence, event.pk, "previous-hash does not match")
        elif compute_hash(event, event.prev_hash) != event.hash:
            problems[key] = BrokenLink(key, event.sequence, event.pk, "row contents do not match its hash")
        else:
            last_seen[key] = (event.sequence, event.hash)
    for key, head_sequence in heads.items():
        if key in problems:
            continue
        seen = last_seen.get(key, (0, GENESIS))[0]
        if seen != head_sequence:
            reason = f"chain ends at {seen} but its head records {head_sequence}"
            problems[key] = BrokenLink(key, seen + 1, None, reason)
    return sorted(problems.values(), key=lambda p: p.chain_key)
