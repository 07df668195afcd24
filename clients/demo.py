"""Demo programs and caseloads for `make run` (registered in ``core.registry.demo_data``); safe to load again.

Each clinical demo login has clients of its own, so the client list is not empty when Casey Clinician signs in.
Demo clients are numbered from 9001 without using the clinic's number sequence (so the first client a person
registers is still 1001); the calendar's own demo clients (``scheduling.demo``) are Sam Supervisor's.
"""

import datetime

from accounts.people.models import Membership
from clients.programs.models import Program
from clients.records.models import Client
from tenancy.models import Organization

DEMO_PROGRAMS = [
    ("Adult outpatient", "Individual and group therapy for adults."),
    ("Child & family", "Therapy for children and teenagers, with their families."),
    ("Intensive outpatient", "Several sessions a week for people who need more support."),
    ("Substance use", "Treatment for alcohol and drug use (42 CFR Part 2 records)."),
]
# number, first and last name, birth date, the demo username of their primary clinician
CASELOAD = [
    (9007, "Taylor", "Nguyen", datetime.date(1993, 7, 21), "clinician"),
    (9008, "Devon", "Park", datetime.date(1982, 12, 5), "clinician"),
    (9009, "Morgan", "Reid", datetime.date(2004, 3, 14), "clinician"),
    (9010, "Avery", "Thompson", datetime.date(1969, 10, 8), "clinician"),
    (9011, "Riley", "Chen", datetime.date(1999, 5, 30), "clinician"),
    (9012, "Quinn", "Foster", datetime.date(1975, 1, 17), "supervisor"),
    (9013, "Dana", "Whitaker", datetime.date(1987, 8, 9), "supervisor"),
]


def load(organization: Organization, staff: dict[str, Membership]) -> None:
    """Create or refresh the programs of the clinic in context, and the clinicians' caseload clients."""
    for name, description in DEMO_PROGRAMS:
        Program.objects.update_or_create(name=name, defaults={"description": description, "is_active": True})
    for number, first, last, born, username in CASELOAD:
        Client.objects.get_or_create(
            number=number,
            defaults={
                "legal_first_name": first,
                "legal_last_name": last,
                "date_of_birth": born,
                "status": "active",
                "primary_clinician": staff[username],
            },
        )
