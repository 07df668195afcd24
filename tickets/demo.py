"""Demo tickets for `make run`: a few of each kind, no PHI in titles, created once (safe to load again)."""

from accounts.people.models import Membership
from tenancy.models import Organization
from tickets import services
from tickets.models import Priority, Status, Ticket

DEMO_TICKETS = [
    # title, creator, assignee, priority, description, status, sent to vendor
    (
        "Printer on the second floor jams on statements",
        "frontdesk",
        "admin",
        Priority.LOW,
        "Module: Billing statements. Every second statement jams the tray; it started after the toner change.",
        Status.IN_PROGRESS,
        False,
    ),
    (
        "How do I add a new insurance payer?",
        "clinician",
        "billing",
        Priority.MEDIUM,
        "Module: Clients, Insurance tab. A new client's plan is not in the payer list.",
        Status.NEW,
        False,
    ),
    (
        "Reports page times out for the whole month",
        "champion",
        "champion",
        Priority.HIGH,
        "Module: Reports. Choosing a whole month spins for a minute, then shows an error page.",
        Status.WAITING_VENDOR,
        True,
    ),
    (
        "Set up the new front desk scanner",
        "admin",
        "frontdesk",
        Priority.FUTURE,
        "The scanner arrives next month; it should save straight into client documents.",
        Status.COMPLETE,
        False,
    ),
]


def load(organization: Organization, staff: dict[str, Membership]) -> None:
    """Create the demo tickets of the clinic in context (quietly: no notifications or emails)."""
    existing = set(Ticket.objects.values_list("title", flat=True))
    for title, creator, assignee, priority, description, status, sent in DEMO_TICKETS:
        if title in existing:
            continue
        ticket = services.create_ticket(
            actor=staff[creator],
            title=title,
            assignee=staff[assignee],
            priority=priority,
            description=description,
            send_to_vendor=sent,
            notify=False,
        )
        if ticket.status != status:
            actor = staff["admin"]
            services.update_ticket(
                ticket, actor=actor, expected_version=ticket.version, changes={"status": status}, notify=False
            )
    title = "Nightly claim batch rejected by the clearinghouse"
    if title not in existing:
        services.open_automated_ticket(
            organization,
            title,
            "The clearinghouse rejected the batch: two claims lack a rendering provider.",
            priority=Priority.HIGH,
            source="Billing",
            notify=False,
        )
