"""The demo vendor support account for `make run`'s support console."""

from console.signin.models import VendorStaff
from tenancy.resolver import support_url

DEMO_VENDOR_STAFF = ("support@hearth.example.org", "Riley Support")


def load_demo_vendor_staff(password: str) -> VendorStaff:
    """The demo vendor support account for the support console (created once; password reset if unusable)."""
    email, name = DEMO_VENDOR_STAFF
    staff, created = VendorStaff.objects.get_or_create(email=email, defaults={"full_name": name})
    if created or not staff.has_usable_password():
        staff.set_password(password)
        staff.save(update_fields=["password"])
    return staff


def vendor_logins() -> list[str]:
    """What `manage.py load_demo` prints about the demo vendor support account."""
    return [
        f"Vendor support console: {support_url('/login/')}",
        f"  {DEMO_VENDOR_STAFF[0]}  Vendor support staff (same password; sets up two-step sign-in first)",
    ]
