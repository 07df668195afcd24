"""Sign-in throttling per NIST SP 800-63B 5.2.2, through django-axes, keyed per clinic.

Axes counts failures per key; the key is ``<clinic id>:<username>`` so the same username in two clinics are two
accounts, and an email address resolves to the username it belongs to so alternating them gains nothing.
Unknown usernames are throttled exactly like real ones, so nothing here reveals who has an account.

The clinic's threshold (``Organization.lockout_threshold``) counts consecutive failures before the first timed lock.
From then on every further failure locks again, for twice as long as the one before (1 minute, 2, 4 … capped at
an hour), so an attacker gets about one guess an hour while the person waits minutes, not for an administrator.
At ``MAX_CONSECUTIVE_FAILURES`` (800-63B: no more than 100) the account stays locked until an administrator
unlocks it. A successful sign-in or an administrator's unlock clears the count.

Axes does the timing with its own cool-off (``AXES_COOLOFF_TIME`` = ``cool_off``): failures count only within the
cool-off window, and the window is the length of the lock the account has earned. Attempts made while locked are
refused without counting, so waiting out a lock is the only way on. Axes would also delete every account's attempts
older than the cool-off of whichever request came in, which would forget the streak (and, with a cool-off that
differs per account, end other accounts' locks early); ``ThrottleHandler`` keeps them until a success or an unlock.
"""

from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.utils import reset
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tenancy.models import Organization

MAX_CONSECUTIVE_FAILURES = 100
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
UNTIL_UNLOCKED = timedelta(days=36500)  # axes' window for "keep every failure" and "locked until an unlock"
DEFAULT_THRESHOLD = 5
KEY_ATTRIBUTE = "hearth_lockout_key"

LOCKED_MESSAGE = "Too many failed sign-in attempts for this account."
TRY_AGAIN = "Try again after {time}, or ask your clinic's administrator to unlock it."
UNLOCK_ONLY = "It is locked until your clinic's administrator unlocks it."


class ThrottleHandler(AxesDatabaseHandler):
    """AXES_HANDLER: axes' database handler, keeping failures as the account's streak (see the module's docstring)."""

    def clean_expired_user_attempts(self, request=None, credentials=None) -> int:
        return 0


def key_for(organization: Organization, username: str) -> str:
    return f"{organization.pk}:{username.strip().lower()}"


def lockout_key(request: HttpRequest, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: the per-clinic account key for the submitted identifier.

    The key is also left on the request, because axes asks ``cool_off`` with the request alone.
    """
    from accounts.staff.selectors import active_member_by_identifier

    organization = getattr(request, "organization", None)
    identifier = ((credentials or {}).get("username") or request.POST.get("username") or "").strip().lower()
    if getattr(request, "vendor_console", False):
        key = identifier  # already the console's own key, "vendor:<email>" (console/signin/services.py)
    elif organization is None:
        key = f"-:{identifier}"
    else:
        if "@" in identifier:
            match = active_member_by_identifier(identifier)
            if match is not None:
                identifier = match.username
        key = key_for(organization, identifier)
    setattr(request, KEY_ATTRIBUTE, key)
    return key


def _threshold(request: HttpRequest) -> int:
    organization = getattr(request, "organization", None)
    return organization.lockout_threshold if organization is not None else DEFAULT_THRESHOLD


def lock_length(failures: int, threshold: int) -> timedelta | None:
    """How long ``failures`` consecutive failures lock an account: None below the threshold."""
    if failures >= MAX_CONSECUTIVE_FAILURES:
        return UNTIL_UNLOCKED
    if failures < threshold:
        return None
    return min(FIRST_LOCK * 2 ** min(failures - threshold, 20), LONGEST_LOCK)


def _streak(key: str) -> tuple[int, datetime | None]:
    """The key's consecutive failures and the time of the last one (one query over its attempts)."""
    totals = AccessAttempt.objects.filter(username=key).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    return totals["failures"] or 0, totals["last"]


def cool_off(request: HttpRequest) -> timedelta:
    """AXES_COOLOFF_TIME: the window in which axes counts the account's failures.

    Below the threshold every failure counts (the streak has no time limit); past it, the window is the lock the
    account has earned, so it is locked while its last failure is inside the window.
    """
    failures, _ = _streak(getattr(request, KEY_ATTRIBUTE, ""))
    return lock_length(failures, _threshold(request)) or UNTIL_UNLOCKED


def failure_limit(request: HttpRequest, credentials: dict | None) -> int:
    """AXES_FAILURE_LIMIT: the clinic's threshold for the first lock; past it, each failure locks again."""
    threshold = _threshold(request)
    failures, _ = _streak(lockout_key(request, credentials))
    return threshold if failures < threshold else 1


def locked_until(failures: int, last: datetime | None, threshold: int) -> datetime | None:
    """When a lock earned by ``failures`` ending at ``last`` ends; None if not locked now."""
    length = lock_length(failures, threshold)
    if length is None or last is None:
        return None
    until = last + length
    return until if until > timezone.now() else None


def locked_out_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the sign-in page again, saying when to try again and who can help.

    Another door (the vendor's support console) puts its own page on the request as ``locked_out_response``.
    """
    door = getattr(request, "locked_out_response", None)
    if door is not None:
        return door(request)
    from accounts.signin.forms import ClinicAuthenticationForm

    form = ClinicAuthenticationForm(request, data=None)
    context = {"form": form, "locked_message": LOCKED_MESSAGE, "locked_detail": lock_detail(request, credentials)}
    return render(request, "accounts/login.html", context, status=403)


def lock_detail(request: HttpRequest, credentials: dict | None) -> str:
    """When the account named in the request may try again, in the clinic's time (the same for unknown names)."""
    from core.clinic_time import clinic_zone

    failures, last = _streak(lockout_key(request, credentials))
    until = locked_until(failures, last, _threshold(request))
    if until is None or failures >= MAX_CONSECUTIVE_FAILURES:
        return UNLOCK_ONLY
    local = timezone.localtime(until, clinic_zone(getattr(request, "organization", None)))
    if local.second or local.microsecond:  # "after 10:02" must not be refused at 10:02:10
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return TRY_AGAIN.format(time=local.strftime("%H:%M"))


def locked_usernames(organization: Organization) -> set[str]:
    """Lower-cased usernames of this clinic that are locked now (one query, for the staff list)."""
    prefix = f"{organization.pk}:"
    rows = (
        AccessAttempt.objects.filter(username__startswith=prefix)
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    )
    return {
        row["username"].removeprefix(prefix)
        for row in rows
        if locked_until(row["failures"], row["last"], organization.lockout_threshold) is not None
    }


def is_locked(organization: Organization, username: str) -> bool:
    failures, last = _streak(key_for(organization, username))
    return locked_until(failures, last, organization.lockout_threshold) is not None


def unlock(organization: Organization, username: str) -> int:
    """Clear the account's failures: no lock, and the next lock starts from the threshold again."""
    return reset(username=key_for(organization, username))
