"""A person's own account pages: where they are signed in, and their recent sign-ins."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import policies
from accounts.sessions import services as sessions
from accounts.sessions.models import UserSession
from audit.models import AuditEvent, Outcome
from audit.services import record
from core import params
from core.authz import require

SIGN_IN_LABELS = {
    "auth.login": "Signed in",
    "auth.login_failed": "Failed sign-in",
    "auth.locked_out": "Locked out",
    "auth.logout": "Signed out",
    "auth.session_expired": "Signed out (timed out)",
    "auth.signed_out_everywhere": "Signed out everywhere else",
    "auth.password_changed": "Changed password",
    "auth.password_reset": "Reset password",
    "auth.sso_login": "Signed in with single sign-on",
    "auth.sso_failed": "Failed single sign-on",
}
SIGN_IN_ACTIONS = tuple(SIGN_IN_LABELS)


def _labelled(events):
    for event in events:
        event.label = SIGN_IN_LABELS.get(event.action, event.action)
        event.who = event.actor_label or event.detail.get("username") or "unknown"
    return events


@login_required
@require_POST
def keepalive(request):
    """Answer "Stay signed in": restart the idle clock now, whatever the usual write interval."""
    sessions.touch(request, force=True)
    return HttpResponse(status=204)


@login_required
def my_sessions(request):
    context = {
        "sessions": sessions.active_sessions(request.user, request.organization),
        "current_key": request.session.session_key,
    }
    return render(request, "accounts/my_sessions.html", context)


@login_required
@require_POST
def end_other_sessions(request):
    """Sign out everywhere else: every other browser, in every clinic. This session stays."""
    others = UserSession.objects.filter(user=request.user, ended_at=None).exclude(
        session_key=request.session.session_key
    )
    ended = sessions.end_sessions(request.user, session_keys=list(others.values_list("session_key", flat=True)))
    record("auth.signed_out_everywhere", request=request, detail={"sessions": ended})
    messages.success(request, f"Signed out of {ended} other session{'s' if ended != 1 else ''}.")
    return redirect("accounts:my_sessions")


@login_required
def my_sign_ins(request):
    events = AuditEvent.objects.filter(
        organization=request.organization, actor=request.user, action__in=SIGN_IN_ACTIONS
    ).order_by("-occurred_at", "-id")[:50]
    return render(request, "accounts/sign_ins.html", {"events": _labelled(list(events)), "mine": True})


@login_required
def clinic_sign_ins(request):
    require(request, policies.can_view_sign_in_history(request.membership), "accounts.view_sign_in_history")
    events = AuditEvent.objects.filter(organization=request.organization, action__in=SIGN_IN_ACTIONS)
    outcome = params.get_choice(request.GET, "outcome", Outcome.values, "")
    if outcome:
        events = events.filter(outcome=outcome)
    page = Paginator(events.order_by("-occurred_at", "-id"), 50).get_page(request.GET.get("page"))
    context = {
        "events": _labelled(list(page)),
        "page": page,
        "mine": False,
        "outcome": outcome,
        "outcomes": Outcome.choices,
    }
    return render(request, "accounts/sign_ins.html", context)
