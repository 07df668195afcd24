"""Checkpoints: every sealed block's chain, number, root and MAC, kept outside the database.

Someone who can write the database can delete the newest events with their links and blocks, and what is left is a
shorter chain that verifies; only a copy kept elsewhere shows what was there. After each round the sealer appends
the blocks it closed to a JSON Lines file in ``HEARTH_AUDIT_CHECKPOINT_PATH`` (one file per UTC day,
``blocks-YYYY-MM-DD.jsonl``, so finished days never change again and suit write-once object storage), and
``audit_verify --checkpoints PATH`` checks that the database still holds every block they name, unchanged.

Export is idempotent and survives a killed sealer: under an exclusive lock on the directory it reads the last block
id already written, cuts off a line a killed writer left unfinished, appends every block after that id (rounds are
serialized, so blocks commit in id order) and syncs the file to disk.
"""

import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from itertools import islice
from pathlib import Path

from django.db.models import Q
from django.utils import timezone

from audit.models import AuditBlock

PATTERN = "blocks-*.jsonl"
TAIL = 64 * 1024  # far more than one line


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read as the sealer writes them."""


def export(directory: str) -> int:
    """Append the blocks not yet in the checkpoint files; how many were written."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    lock = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        blocks = AuditBlock.objects.filter(pk__gt=_last_exported(folder)).order_by("pk").iterator(chunk_size=2000)
        target, written = folder / f"blocks-{timezone.now():%Y-%m-%d}.jsonl", 0
        with ExitStack() as stack:
            out = None
            for block in blocks:
                out = out or stack.enter_context(open(target, "a", encoding="utf-8"))
                out.write(json.dumps(_entry(block), separators=(",", ":")) + "\n")
                written += 1
            if out is not None:
                out.flush()
                os.fsync(out.fileno())
        return written
    finally:
        os.close(lock)  # releases the lock


def _entry(block: AuditBlock) -> dict:
    return {
        "block": block.pk,
        "chain": block.chain_key,
        "number": block.number,
        "first": block.first_sequence,
        "last": block.last_sequence,
        "root": block.root,
        "key": block.key_id,
        "mac": block.mac,
        "sealed_at": block.sealed_at.isoformat(),
    }


def _last_exported(folder: Path) -> int:
    for file in sorted(folder.glob(PATTERN), reverse=True):
        if line := _last_line(file):
            return json.loads(line)["block"]
    return 0


def _last_line(file: Path) -> str:
    """The file's last complete line, after cutting off an unfinished one (a writer killed mid-line)."""
    with open(file, "rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        start = max(0, size - TAIL)
        handle.seek(start)
        tail = handle.read()
        complete = tail[: tail.rfind(b"\n") + 1]
        if len(complete) != len(tail):
            handle.truncate(start + len(complete))
    lines = complete.splitlines()
    return lines[-1].decode("utf-8") if lines else ""


def read(path: str) -> Iterator[dict]:
    """Every checkpoint in a file, or in a directory's checkpoint files, oldest file first. A last line without its
    newline is a write still in progress (or a killed one) and is skipped; any other unreadable line is an error."""
    location = Path(path)
    files = sorted(location.glob(PATTERN)) if location.is_dir() else [location]
    if not files or not files[0].exists():
        raise CheckpointError(f"no checkpoint files at {path}")
    for file in files:
        with open(file, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.endswith("\n"):
                    break
                try:
                    entry = json.loads(line)
                    yield {key: entry[key] for key in ("chain", "number", "root", "mac")}
                except (ValueError, KeyError, TypeError):
                    raise CheckpointError(f"{file}, line {number}: not a checkpoint") from None


def compare(entries: Iterable[dict], chunk: int = 2000) -> tuple[int, list[tuple[str, str]]]:
    """Check checkpoints against the database's blocks: ``(checkpoints read, [(chain, problem), …])``."""
    entries, count, problems = iter(entries), 0, []
    while batch := list(islice(entries, chunk)):
        count += len(batch)
        wanted: dict[str, set[int]] = {}
        for entry in batch:
            wanted.setdefault(entry["chain"], set()).add(entry["number"])
        query = Q()
        for chain_key, numbers in wanted.items():
            query |= Q(chain_key=chain_key, number__in=numbers)
        stored = {
            (chain_key, number): (root, mac)
            for chain_key, number, root, mac in AuditBlock.objects.filter(query).values_list(
                "chain_key", "number", "root", "mac"
            )
        }
        for entry in batch:
            found = stored.get((entry["chain"], entry["number"]))
            if found is None:
                problems.append((entry["chain"], f"block {entry['number']} is missing: the chain was cut short"))
            elif found != (entry["root"], entry["mac"]):
                problems.append((entry["chain"], f"block {entry['number']} differs from its checkpoint: rewritten"))
    return count, problems
