from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, DEMO_STAFF, load_demo
from core import registry
from tenancy.resolver import clinic_url


class Command(BaseCommand):
    help = "Create (or refresh) two demo clinics with one staff member per role, and every app's demo data. Idempotent."

    def handle(self, *args, **options) -> None:
        clinics = load_demo()
        for organization in clinics:
            self.stdout.write(f"{organization.name}: {clinic_url(organization, '/login/')}")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for person in DEMO_STAFF:
            roles = ", ".join(role.label for role in person.roles)
            self.stdout.write(f"  {person.username:<11} {roles}")
        for part in registry.demo_data.entries():
            for line in part.logins() if part.logins else ():
                self.stdout.write(line)
