"""``manage.py sweep_private_files``: delete uploaded files no row refers to (see ``core/upload_sweep.py``).

Such orphans appear when a caller's transaction rolls back after an upload service stored the file. Run it daily
from cron or a systemd timer, or give ``--every 3600`` to keep it running (``make run`` does, hourly). Files
younger than the grace period (``--older-than-hours``, 24 by default) are never touched.
"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core import upload_sweep


class Command(BaseCommand):
    help = "Delete private files (chart documents, ticket attachments) that no row refers to, once past a grace period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-hours",
            type=float,
            default=upload_sweep.DEFAULT_GRACE.total_seconds() / 3600,
            help="Only delete orphans at least this old (default 24): a newer one may belong to an upload in progress.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count and list orphans; delete nothing.")
        parser.add_argument("--every", type=int, default=0, help="Keep running, sweeping every this many seconds.")

    def handle(self, *args, older_than_hours: float, dry_run: bool, every: int, **options):
        if older_than_hours <= 0:
            raise CommandError("--older-than-hours must be more than 0: a new file may be an upload in progress.")
        if every < 0:
            raise CommandError("--every takes a number of seconds (0: sweep once).")
        grace = datetime.timedelta(hours=older_than_hours)
        while True:
            result = upload_sweep.sweep(older_than=grace, dry_run=dry_run)
            if options["verbosity"] > 1 or not every or result.deleted:
                verb = "Would delete" if dry_run else "Deleted"
                self.stdout.write(
                    f"{verb} {result.deleted} of {result.orphans} orphaned file(s) among {result.files} "
                    f"({result.too_young} orphan(s) younger than {older_than_hours:g} h kept)."
                )
            if not every:
                return
            connection.close()  # an hour idle: reconnect afresh rather than find the server closed it
            try:
                time.sleep(every)
            except KeyboardInterrupt:
                return
