"""Sign-in events become audit events; the session remembers which clinic it was opened for."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import Outcome
from audit.services import record

SESSION_ORGANIZATION_KEY = "hearth_organization_id"


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs) -> None:
    organization = getattr(request, "organization", None)
    if organization is None:  # not a clinic sign-in (e.g. a test client's force_login)
        return
    request.session[SESSION_ORGANIZATION_KEY] = organization.pk
    record("auth.login", request=request, actor=user)
    from accounts.passwords.services import cancel_password_resets
    from accounts.sessions import services as sessions

    cancel_password_resets(user)
    if sessions.start(request, user):
        sessions.queue_new_device_alert(request, user)


@receiver(user_login_failed)
def count_failure_per_address(sender, credentials, request=None, **kwargs) -> None:
    """Every wrong password or code, at a clinic or the console, counts toward the per-address failure limits."""
    if request is not None:
        from accounts.signin.ratelimits import count_failure

        count_failure(request)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    if request is None or getattr(request, "organization", None) is None:
        return
    attempted = str(credentials.get("username", ""))[:100]
    from accounts.staff.selectors import active_member_by_identifier

    member = active_member_by_identifier(attempted)  # so the person sees the attempt; never shown to the caller
    record(
        "auth.login_failed",
        request=request,
        actor=member.user if member is not None else None,
        outcome=Outcome.FAILURE,
        detail={"username": attempted},
    )


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs) -> None:
    if user is not None and getattr(request, "organization", None) is not None:
        from accounts.sessions import services as sessions

        record("auth.logout", request=request, actor=user)
        sessions.mark_ended(request.session.session_key)


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    if request is None or getattr(request, "organization", None) is None:
        return
    attempted = str((kwargs.get("credentials") or {}).get("username") or request.POST.get("username", ""))[:100]
    record("auth.locked_out", request=request, outcome=Outcome.DENIED, detail={"username": attempted})
