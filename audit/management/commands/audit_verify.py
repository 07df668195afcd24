"""``manage.py audit_verify``: check the audit log (see audit/integrity.py) and exit 1 on tampering or an alert.

Run it from a monitor every few minutes in production, with ``--checkpoints`` naming the exported copy. Every
finding is also logged at ERROR on the security log, where alerts are routed.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from audit.checkpoints import CheckpointError
from audit.integrity import verify_log
from audit.logging import integrity_log


class Command(BaseCommand):
    help = (
        "Recompute every clinic's audit chain and check its keyed blocks; report the first broken link of each, "
        "events left unsealed too long, and blocks missing or changed against exported checkpoints (exit 1 if any)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-unsealed-age",
            type=float,
            default=60,
            help="Alert when an event has waited longer than this many seconds for the sealer (default 60).",
        )
        parser.add_argument(
            "--checkpoints",
            default="",
            metavar="PATH",
            help="A checkpoint file or directory the sealer exported (HEARTH_AUDIT_CHECKPOINT_PATH) to compare with.",
        )

    def handle(self, *args, max_unsealed_age: float, checkpoints: str, **options) -> None:
        if max_unsealed_age <= 0:
            raise CommandError("--max-unsealed-age takes a number of seconds above 0.")
        try:
            findings = verify_log(checkpoint_path=checkpoints)
        except CheckpointError as error:
            raise CommandError(f"Cannot read the checkpoints: {error}") from None
        for _chain_key, problem in findings.problems:
            self._alert(f"BROKEN {problem}")
        overdue = findings.waited_longer_than(dt.timedelta(seconds=max_unsealed_age))
        waiting = ""
        if findings.unsealed:
            since = findings.unsealed_since.isoformat(timespec="seconds")
            waiting = f"{findings.unsealed} event(s) not sealed yet, the oldest recorded at {since}"
        if overdue:
            self._alert(f"UNSEALED {waiting}: more than {max_unsealed_age:g} s ago; is manage.py seal_audit running?")
        if findings.problems:
            broken = len({chain_key for chain_key, _problem in findings.problems})
            raise CommandError(f"Audit log tampering detected in {broken} chain(s).")
        if overdue:
            raise CommandError(f"Audit log alert: events unsealed for longer than {max_unsealed_age:g} s.")
        summary = [
            f"Audit log intact: {len(findings.chains)} chain(s) verified.",
            f"{findings.sealed} event(s) sealed in {findings.blocks} block(s).",
        ]
        if findings.unsealed:
            summary.append(f"{waiting} (waiting for the sealer).")
        if findings.checkpoints is not None:
            summary.append(f"{findings.checkpoints} checkpoint(s) match.")
        self.stdout.write(self.style.SUCCESS(" ".join(summary)))

    def _alert(self, message: str) -> None:
        self.stderr.write(message)
        integrity_log.error("audit_verify: %s", message)
