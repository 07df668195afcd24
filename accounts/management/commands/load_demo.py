from django.core.management.base import BaseCommand

from accounts.demo import demo_summary, load_demo


class Command(BaseCommand):
    help = "Create (or refresh) two demo clinics with one staff member per role, and every app's demo data. Idempotent."

    def handle(self, *args, **options) -> None:
        load_demo()
        summary = demo_summary()
        for name, url in summary.clinics:
            self.stdout.write(f"{name}: {url}")
        self.stdout.write(f"Demo logins (password for all: {summary.password}):")
        for username, roles in summary.logins:
            self.stdout.write(f"  {username:<11} {roles}")
        for line in summary.other_lines:
            self.stdout.write(line)
