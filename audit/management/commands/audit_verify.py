from django.core.management.base import BaseCommand, CommandError

from audit.chain import verify
from audit.models import AuditChainHead, AuditEvent


class Command(BaseCommand):
    help = "Recompute every clinic's audit chain and report the first broken link of each (exit 1 if any)."

    def handle(self, *args, **options) -> None:
        events = AuditEvent.objects.order_by("chain_key", "sequence").iterator(chunk_size=2000)
        heads = dict(AuditChainHead.objects.values_list("chain_key", "sequence"))
        problems = verify(events, heads)
        if problems:
            for problem in problems:
                self.stderr.write(f"BROKEN {problem}")
            raise CommandError(f"Audit log tampering detected in {len(problems)} chain(s).")
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {len(heads)} chain(s) verified."))
