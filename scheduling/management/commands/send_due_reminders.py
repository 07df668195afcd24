"""``manage.py send_due_reminders``: claim and queue the appointment reminders whose time has come.

django-tasks has no scheduler, so this is the clock: run it every minute from cron or a systemd timer, or give
``--every 60`` to keep it running (``make run`` does, beside the task worker). Running it twice, or two at once,
sends nothing twice (see ``scheduling/reminders/services.py``).
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from scheduling.reminders import services as reminders


class Command(BaseCommand):
    help = "Queue the appointment reminders that are due now (once, or every N seconds with --every)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Keep running, sweeping every this many seconds.")

    def handle(self, *args, every: int = 0, **options):
        if every < 0:
            raise CommandError("--every takes a number of seconds (0: sweep once).")
        while True:
            queued = reminders.sweep()
            if options["verbosity"] > 1 or (queued and not every):
                self.stdout.write(f"Queued {queued} reminder{'s' if queued != 1 else ''}.")
            if not every:
                return
            connection.close()  # back to the pool (reset, health-checked by age) rather than held through the wait
            try:
                time.sleep(every)
            except KeyboardInterrupt:
                return
