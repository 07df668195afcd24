"""Calendar subscriptions: the settings page (create, replace, remove links) and the feed itself.

The feed is fetched by calendar apps without a session, so the token in its URL is the only credential: an
unknown or revoked token gets a plain 404, every fetch is audited (no client detail) and throttled per link and
per address, and responses say ``Cache-Control: private, no-store``.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.core import is_ratelimited

from audit.models import Outcome
from audit.request_info import client_ip
from audit.services import record
from core.authz import get_for_clinic_or_404, require
from core.forms import add_validation_errors, run_button
from scheduling import policies
from scheduling.appointments import selectors
from scheduling.feeds import services as feeds
from scheduling.feeds.forms import FeedForm
from scheduling.feeds.models import CalendarFeed


def _feed_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("scheduling:feed", kwargs={"token": token}))


NEW_TOKEN_KEY = "scheduling.new_feed_token"


def _page(request, form, status: int = 200):
    """The page; a link made by the previous POST is shown this once (popped from the server-side session, so
    reloading neither shows it again nor makes another)."""
    actor = request.membership
    token = request.session.pop(NEW_TOKEN_KEY, "")
    new_url = _feed_url(request, token) if token else ""
    zone = selectors.display_zone(actor, request.organization)
    context = {"form": form, "feeds": feeds.active_feeds(actor), "new_url": new_url, "zone": zone}
    return render(request, "scheduling/feeds.html", context, status=status)


def _show_once(request, token: str):
    request.session[NEW_TOKEN_KEY] = token
    return redirect("scheduling:feeds")


def _form(request, data=None) -> FeedForm:
    actor = request.membership
    return FeedForm(data, own=policies.can_subscribe_own(actor), others=policies.can_subscribe_others(actor))


@login_required
def feed_settings(request):
    """List the person's links and make a new one (Post/Redirect/Get; the new link is shown once)."""
    actor = request.membership
    require(request, policies.can_use_feeds(actor), "scheduling.feeds")
    form = _form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _feed, token = feeds.create_feed(
                actor=actor,
                kind=data["kind"],
                clinician=data.get("clinician"),
                room=data.get("room"),
                client_label=data["client_label"],
                request=request,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            return _show_once(request, token)
    return _page(request, form, status=400 if form.is_bound and form.errors else 200)


@login_required
@require_POST
def feed_revoke(request, pk: int):
    actor = request.membership
    require(request, policies.can_use_feeds(actor), "scheduling.feeds")
    feed = get_for_clinic_or_404(request, CalendarFeed.objects.filter(owner=actor), "scheduling.feeds", pk)
    if run_button(request, feeds.revoke_feed, feed):
        messages.success(request, "Link removed: calendar apps using it stop updating.")
    return redirect("scheduling:feeds")


@login_required
@require_POST
def feed_regenerate(request, pk: int):
    """A new link for the same calendar; the old one stops working at once."""
    actor = request.membership
    require(request, policies.can_use_feeds(actor), "scheduling.feeds")
    feed = get_for_clinic_or_404(
        request, CalendarFeed.objects.filter(owner=actor, revoked_at__isnull=True), "scheduling.feeds", pk
    )
    try:
        _new, token = feeds.create_feed(
            actor=actor,
            kind=feed.kind,
            clinician=feed.clinician,
            room=feed.room,
            client_label=feed.client_label,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("scheduling:feeds")
    return _show_once(request, token)


def _feed_key(group, request) -> str:
    return feeds.hash_token(request.resolver_match.kwargs.get("token", ""))


def _throttled(request) -> bool:
    per_link = is_ratelimited(
        request, group="feed", key=_feed_key, rate=settings.HEARTH_FEED_RATE, method=["GET", "HEAD"], increment=True
    )
    per_address = is_ratelimited(
        request,
        group="feed-address",
        key=lambda group, req: client_ip(req) or "unknown",
        rate=settings.HEARTH_FEED_ADDRESS_RATE,
        method=["GET", "HEAD"],
        increment=True,
    )
    return per_link or per_address


@require_safe
def feed(request, token: str):
    """The .ics itself. Never names a client; the audit detail holds ids and counts only (not the token)."""
    if _throttled(request):
        record("schedule.feed_rate_limited", request=request, outcome=Outcome.DENIED, detail={})
        response = HttpResponse("Too many requests for this calendar; try again later.\n", status=429)
        response["Retry-After"] = "600"
        response["Cache-Control"] = "private, no-store"
        return response
    found = feeds.find_feed(token)
    if found is None or not feeds.may_read(found):
        record(
            "schedule.feed_refused",
            request=request,
            target=found,
            outcome=Outcome.DENIED,
            detail={"reason": "unknown or revoked" if found is None else "no longer allowed"},
        )
        raise Http404
    body, count = feeds.build_calendar(
        found,
        organization=request.organization,
        uid_domain=f"{request.organization.slug}.{settings.HEARTH_BASE_DOMAIN}",
    )
    CalendarFeed.objects.filter(pk=found.pk).update(last_fetched_at=timezone.now())
    record(
        "schedule.feed_fetched",
        request=request,
        actor=found.owner.user,
        target=found,
        detail={"kind": found.kind, "events": count},
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="hearth.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
