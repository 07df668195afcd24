from tickets import policies, selectors


def notifications(request) -> dict:
    """The unread count in the header (cached: it is on every page and must not cost a query on each)."""
    membership = getattr(request, "membership", None)
    if membership is None or not policies.can_use_tickets(membership):
        return {}
    return {"unread_notifications": selectors.unread_count(membership)}
