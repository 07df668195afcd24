from measures import policies
from measures.administrations.services import open_flag_count


def safety_notices(request) -> dict:
    """Open critical answers the signed-in clinician was alerted for, on every page (cached count)."""
    membership = getattr(request, "membership", None)
    if membership is None or not policies.sees_safety_notices(membership):
        return {}
    return {"safety_notices": open_flag_count(membership)}
