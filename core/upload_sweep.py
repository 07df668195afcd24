"""Find and delete private files that no row refers to (``manage.py sweep_private_files``).

A service writes an upload to the private storage before the transaction that records its row, and deletes it
again if that transaction fails. It cannot see a caller's outer transaction: if that rolls back after the service
returned, the file stays on disk with no row. Such an orphan can hold PHI yet no view can reach it, so this sweep
removes it once it is older than a grace period (a younger file may belong to an upload whose transaction is
still open). Storage-agnostic: it uses ``listdir``, ``get_modified_time`` and ``delete`` only.

Logs and the audit event carry counts and storage names only; storage names are random and hold ids only.
"""

import datetime
import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from django.apps import apps
from django.core.files.storage import Storage
from django.utils import timezone

from audit.services import record
from core import uploads

logger = logging.getLogger(__name__)

DEFAULT_GRACE = datetime.timedelta(hours=24)

# Every model that keeps a file in the private storage: the folder its service stores under (see
# ``uploads.store``) and the field naming the file. A test keeps this list complete.
PRIVATE_FILE_REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("documents", "clients.ClientDocument", "stored_name"),
    ("tickets", "tickets.TicketAttachment", "stored_name"),
)


@dataclass(frozen=True)
class SweepResult:
    """What one sweep found (counts only, fit for the audit log)."""

    files: int
    referenced: int
    orphans: int
    deleted: int
    too_young: int
    dry_run: bool
    older_than_hours: float


def walk(storage: Storage, folder: str) -> Iterator[str]:
    """Every file name under ``folder``, recursively; nothing when the folder does not exist yet."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from walk(storage, f"{folder}/{sub}")


def referenced_names() -> set[str]:
    """The stored names every clinic's rows refer to: one query per model, across all clinics (system code)."""
    names: set[str] = set()
    for _folder, label, field in PRIVATE_FILE_REFERENCES:
        model = apps.get_model(label)
        names.update(model.all_tenants.values_list(field, flat=True))
    return names


def sweep(
    *,
    older_than: datetime.timedelta = DEFAULT_GRACE,
    dry_run: bool = False,
    now: datetime.datetime | None = None,
) -> SweepResult:
    """Delete files in Hearth's private folders that no row names and that are older than ``older_than``.

    The files are listed before the rows are read, so a file whose row commits in between counts as referenced
    or is still inside the grace period. Writes one ``uploads.orphans_swept`` event to the system chain.
    """
    if older_than <= datetime.timedelta(0):
        raise ValueError("The grace period must be positive: a newer file may belong to an upload in progress.")
    now = now or timezone.now()
    storage = uploads.private_storage()
    listed = [name for folder, _label, _field in PRIVATE_FILE_REFERENCES for name in walk(storage, folder)]
    known = referenced_names()
    orphans = [name for name in listed if name not in known]
    deleted = too_young = 0
    for name in orphans:
        if storage.get_modified_time(name) > now - older_than:
            too_young += 1
            continue
        if not dry_run:
            storage.delete(name)
            logger.info("Deleted orphaned private file %s", name)
        else:
            logger.info("Would delete orphaned private file %s", name)
        deleted += 1
    result = SweepResult(
        files=len(listed),
        referenced=len(listed) - len(orphans),
        orphans=len(orphans),
        deleted=deleted,
        too_young=too_young,
        dry_run=dry_run,
        older_than_hours=older_than.total_seconds() / 3600,
    )
    logger.info("Private file sweep: %s", asdict(result))
    record("uploads.orphans_swept", actor_label="private file sweep", detail=asdict(result))
    return result
