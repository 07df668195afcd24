"""Building accounts data for tests: the clinic-settings form as a browser would post it."""

from tenancy.models import Organization


def clinic_settings_payload(org: Organization, **changes) -> dict:
    """The clinic-settings form with the clinic's current values, changed by ``changes``."""
    data = {
        "name": org.name,
        "time_zone": org.time_zone,
        "billing_coordinator": "",
        "lockout_threshold": org.lockout_threshold,
        "idle_timeout_minutes": org.idle_timeout_minutes,
        "password_min_length": org.password_min_length,
        "password_expiry_days": org.password_expiry_days,
        "password_require_mixed": "on",
        "password_history_count": org.password_history_count,
        "version": org.version,
    }
    data.update(changes)
    return data
