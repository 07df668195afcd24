"""``manage.py seal_audit``: link appended audit events into their chains and seal them (see audit/sealer.py).

Give ``--every 2`` to keep running, sealing every two seconds (``make run`` does); run one per installation, as the
database owner, beside the app servers. Without ``--every`` it seals what is waiting and exits. Killing it at any
moment loses nothing: the next run picks up where the database says it stopped.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from audit.logging import integrity_log
from audit.sealer import Sealer, seal_pending


class Command(BaseCommand):
    help = "Chain and seal the audit events appended since the last run (once, or every N seconds with --every)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, help="Keep running, sealing every this many seconds.")
        parser.add_argument("--batch", type=int, default=5000, help="At most this many events per round (5000).")

    def handle(self, *args, every: float, batch: int, **options):
        if every < 0:
            raise CommandError("--every takes a number of seconds (0: seal once).")
        if batch < 1:
            raise CommandError("--batch takes a number of events above 0.")
        if not every:
            events, blocks = seal_pending(batch=batch)
            self.stdout.write(f"Sealed {events} event(s) in {blocks} block(s).")
            return
        sealer = Sealer(batch=batch)
        try:
            while True:
                try:
                    done = sealer.run_round()
                except DatabaseError:
                    integrity_log.exception("An audit sealing round failed; retrying in %g s.", every)
                    connection.close()  # reconnect afresh next round
                else:
                    if options["verbosity"] > 1 and done.events:
                        self.stdout.write(f"Sealed {done.events} event(s) in {done.blocks} block(s).")
                    if done.more:
                        continue
                time.sleep(every)
        except KeyboardInterrupt:  # a round cut short rolls back; the next run redoes it
            return
