"""``manage.py create_vendor_staff EMAIL --name "Full Name"``: an account for the vendor's support console."""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tickets import vendor
from tickets.models import VendorStaff


class Command(BaseCommand):
    help = (
        "Create a vendor support account for the support console (support.<HEARTH_BASE_DOMAIN>). The password is "
        "asked for twice, or read from the first line of standard input with --password-stdin."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="The person's full name, shown to clinics.")
        parser.add_argument("--password-stdin", action="store_true", help="Read the password from standard input.")
        parser.add_argument("--deactivate", action="store_true", help="Deactivate an existing account instead.")

    def handle(self, *args, email: str, name: str, password_stdin: bool, deactivate: bool, **options) -> None:
        if deactivate:
            if not VendorStaff.objects.filter(email=email.strip().lower()).update(is_active=False):
                raise CommandError(f"No vendor staff account for {email}.")
            self.stdout.write(f"Deactivated the vendor staff account {email}.")
            return
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            staff = vendor.create_vendor_staff(email=email, full_name=name, password=password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Created vendor staff {staff.full_name} <{staff.email}>; they sign in at the console.")
