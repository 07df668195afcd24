"""``manage.py create_vendor_staff EMAIL --name "Full Name"``: an account for the vendor's support console.

``--reset-mfa`` removes an account's authenticator and recovery codes (a lost phone): audited, their sessions end,
and they set up two-step sign-in again at their next sign-in. ``--deactivate`` closes an account.
"""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from console.mfa import services as mfa
from console.signin import services as vendor
from console.signin.models import VendorStaff


class Command(BaseCommand):
    help = (
        "Create a vendor support account for the support console (support.<HEARTH_BASE_DOMAIN>). The password is "
        "asked for twice, or read from the first line of standard input with --password-stdin."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", help="The person's full name, shown to clinics (required to create).")
        parser.add_argument("--password-stdin", action="store_true", help="Read the password from standard input.")
        parser.add_argument("--deactivate", action="store_true", help="Deactivate an existing account instead.")
        parser.add_argument(
            "--reset-mfa",
            action="store_true",
            help="Remove an existing account's two-step sign-in (lost phone); they set it up again at next sign-in.",
        )

    def handle(
        self, *args, email: str, name: str | None, password_stdin: bool, deactivate: bool, reset_mfa: bool, **options
    ) -> None:
        if reset_mfa:
            staff = VendorStaff.objects.filter(email=email.strip().lower()).first()
            if staff is None:
                raise CommandError(f"No vendor staff account for {email}.")
            had = mfa.reset(staff, actor_label="manage.py")
            state = "reset" if had else "was not set up; nothing to remove"
            self.stdout.write(f"Two-step sign-in of {staff.email} {state}. They set it up at their next sign-in.")
            return
        if deactivate:
            if not VendorStaff.objects.filter(email=email.strip().lower()).update(is_active=False):
                raise CommandError(f"No vendor staff account for {email}.")
            self.stdout.write(f"Deactivated the vendor staff account {email}.")
            return
        if not name:
            raise CommandError("Give the person's name with --name.")
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
