"""``manage.py send_due_questionnaires``: send the questionnaire links clients' schedules call for before their
next appointments. Run it hourly from cron or a systemd timer (a link already waiting is never sent again)."""

from django.core.management.base import BaseCommand

from measures.links import services


class Command(BaseCommand):
    help = "Send scheduled questionnaire links for appointments in the next 48 hours."

    def handle(self, *args, **options):
        sent = services.sweep()
        self.stdout.write(f"Sent {sent} questionnaire link{'s' if sent != 1 else ''}.")
