"""Demo programs for `make run` (registered in ``core.registry.demo_data``); refreshed on every load."""

from accounts.people.models import Membership
from clients.programs.models import Program
from tenancy.models import Organization

DEMO_PROGRAMS = [
    ("Adult outpatient", "Individual and group therapy for adults."),
    ("Child & family", "Therapy for children and teenagers, with their families."),
    ("Intensive outpatient", "Several sessions a week for people who need more support."),
    ("Substance use", "Treatment for alcohol and drug use (42 CFR Part 2 records)."),
]


def load(organization: Organization, staff: dict[str, Membership]) -> None:
    """Create or refresh the programs of the clinic in context."""
    for name, description in DEMO_PROGRAMS:
        Program.objects.update_or_create(name=name, defaults={"description": description, "is_active": True})
