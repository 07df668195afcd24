from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, DEMO_STAFF, load_demo
from console.demo import DEMO_VENDOR_STAFF
from tenancy.resolver import clinic_url, support_url


class Command(BaseCommand):
    help = "Create (or refresh) two demo clinics with one staff member per role. Idempotent."

    def handle(self, *args, **options) -> None:
        clinics = load_demo()
        for organization in clinics:
            self.stdout.write(f"{organization.name}: {clinic_url(organization, '/login/')}")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for person in DEMO_STAFF:
            roles = ", ".join(role.label for role in person.roles)
            self.stdout.write(f"  {person.username:<11} {roles}")
        self.stdout.write(f"Vendor support console: {support_url('/login/')}")
        vendor = DEMO_VENDOR_STAFF[0]
        self.stdout.write(f"  {vendor}  Vendor support staff (same password; sets up two-step sign-in first)")
