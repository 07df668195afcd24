"""Signed-in sessions: idle timeout, absolute lifetime, the list of where a person is signed in, and alerts
when they sign in from a browser Hearth has not seen before."""

import secrets
from datetime import timedelta
from typing import cast

from django.contrib.sessions.models import Session
from django.core import signing
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.http import ClinicRequest
from accounts.people.models import User
from accounts.sessions.models import UserSession
from accounts.tasks import send_new_device_alert
from audit.request_info import client_ip
from tenancy.models import Organization

DEVICE_COOKIE = "hearth_device"
DEVICE_COOKIE_SALT = "hearth.accounts.device"
LOGIN_AT = "hearth_login_at"
LAST_ACTIVITY = "hearth_last_activity"
TOUCH_INTERVAL = timedelta(seconds=60)
ACTIVITY_GRANULARITY = timedelta(seconds=20)

_BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_device(user_agent: str) -> str:
    """A short human label such as "Chrome on Windows"; enough to recognise one's own devices."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), "Unknown browser")
    system = next((name for token, name in _SYSTEMS if token in user_agent), "unknown system")
    return f"{browser} on {system}"


def device_id_from(request: HttpRequest) -> str | None:
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        return signing.loads(raw, salt=DEVICE_COOKIE_SALT)
    except signing.BadSignature:
        return None


def signed_device_cookie(device_id: str) -> str:
    return signing.dumps(device_id, salt=DEVICE_COOKIE_SALT)


def start(request: ClinicRequest, user: User) -> bool:
    """Record a new signed-in session; returns True when it comes from a browser new to this person."""
    now = timezone.now()
    request.session[LOGIN_AT] = now.timestamp()
    request.session[LAST_ACTIVITY] = now.timestamp()
    if request.session.session_key is None:
        request.session.save()
    device_id = device_id_from(request)
    if device_id is None:
        device_id = secrets.token_urlsafe(24)
        request.hearth_set_device_cookie = device_id
    seen_before = UserSession.objects.filter(user=user).exists()
    known_device = UserSession.objects.filter(user=user, device_id=device_id).exists()
    UserSession.objects.create(
        user=user,
        organization=request.organization,
        session_key=cast(str, request.session.session_key),  # saved above, so it has one
        device_id=device_id,
        device=describe_device(request.META.get("HTTP_USER_AGENT", ""))[:120],
        ip_address=client_ip(request),
    )
    return seen_before and not known_device


def expiry_reason(request: HttpRequest, organization: Organization) -> str | None:
    """'idle' or 'lifetime' when the session must end now, else None."""
    now = timezone.now().timestamp()
    login_at = request.session.get(LOGIN_AT)
    last = request.session.get(LAST_ACTIVITY)
    if last is not None and now - last > organization.idle_timeout_minutes * 60:
        return "idle"
    if login_at is not None and now - login_at > organization.session_lifetime_hours * 3600:
        return "lifetime"
    return None


def touch(request: HttpRequest, *, force: bool = False) -> None:
    """Note activity. Written at most every ``ACTIVITY_GRANULARITY`` (or when forced, as "Stay signed in" does)
    so that ordinary page views do not each rewrite the session."""
    now = timezone.now()
    previous = request.session.get(LAST_ACTIVITY, 0)
    if not force and now.timestamp() - previous < ACTIVITY_GRANULARITY.total_seconds():
        return
    request.session[LAST_ACTIVITY] = now.timestamp()
    key = request.session.session_key
    if key and now.timestamp() - previous >= TOUCH_INTERVAL.total_seconds():
        UserSession.objects.filter(session_key=key).update(last_seen_at=now)


def idle_seconds_left(request: HttpRequest, organization: Organization) -> int:
    """Seconds until the idle timeout, as the server counts them (for the page's warning timer)."""
    last = request.session.get(LAST_ACTIVITY, timezone.now().timestamp())
    return max(0, int(organization.idle_timeout_minutes * 60 - (timezone.now().timestamp() - last)))


def active_sessions(user: User, organization: Organization) -> list[UserSession]:
    """This person's sessions that could still be used: not ended, not expired, not idle too long."""
    now = timezone.now()
    candidates = list(
        UserSession.objects.filter(
            user=user, ended_at=None, last_seen_at__gt=now - timedelta(minutes=organization.idle_timeout_minutes)
        ).select_related("organization")
    )
    live = set(
        Session.objects.filter(session_key__in=[s.session_key for s in candidates], expire_date__gt=now).values_list(
            "session_key", flat=True
        )
    )
    return [s for s in candidates if s.session_key in live]


@transaction.atomic
def end_sessions(user: User, *, session_keys: list[str] | None = None) -> int:
    """End the person's sessions (all of them, in every clinic, unless ``session_keys`` narrows it)."""
    sessions = UserSession.objects.filter(user=user, ended_at=None)
    if session_keys is not None:
        sessions = sessions.filter(session_key__in=session_keys)
    keys = list(sessions.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    sessions.update(ended_at=timezone.now())
    return len(keys)


def mark_ended(session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key, ended_at=None).update(ended_at=timezone.now())


def queue_new_device_alert(request, user: User) -> None:
    """Tell the person about a sign-in from a browser Hearth has not seen them use (no PHI: device, place, time)."""
    organization_id = request.organization.pk
    device = describe_device(request.META.get("HTTP_USER_AGENT", ""))
    ip = client_ip(request) or "unknown"
    when = timezone.now().isoformat()
    transaction.on_commit(lambda: send_new_device_alert.enqueue(organization_id, user.pk, device, ip, when))
