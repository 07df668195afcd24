"""Who may read the clinic's audit log. Views, navigation and (later) the API ask here, nowhere else."""

from accounts.people.models import Membership
from accounts.policies import is_administrator


def can_view_audit_report(actor: Membership | None) -> bool:
    """The clinic-wide audit report (and its CSV export) is for administrators only: it shows every staff
    member's activity and which client numbers they touched."""
    return is_administrator(actor)
