"""The chart's tabs: a registry other apps add to from their ``AppConfig.ready()``.

    from clients.tabs import register_tab

    register_tab("schedule", "Schedule", policies.DEMOGRAPHICS, "scheduling/chart_tab.html", order=50)

A tab is served at ``/clients/<pk>/<key>/``. Before it renders, ``clients.access.get_chart`` checks that the
person may see ``section`` for this client and audits the read with that section; the tab bar lists only tabs
whose section the person may see. ``view`` is either a template name (rendered with ``client``, ``chart`` and the
tab bar; extend ``clients/chart.html`` and fill ``{% block tab %}``) or a callable
``view(request, client, chart) -> HttpResponse`` that usually ends with :func:`render_tab`.

Banners (``register_banner``) are warnings another app puts at the top of every tab, for those whose sections
include the banner's section (measures: a critical questionnaire answer awaiting a clinician's response).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from core.clinic_time import clinic_today
from core.registry import Registry

KEY = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
RESERVED_KEYS = frozenset({"edit", "emergency-access", "status", "care-team", "contacts", "family", "alerts"})


@dataclass(frozen=True)
class ChartTab:
    key: str
    label: str
    section: str
    view: str | Callable[..., HttpResponse]
    order: int


_tabs: Registry[ChartTab] = Registry()


def register_tab(key: str, label: str, section: str, view, order: int = 100) -> ChartTab:
    """Add a tab to every chart. Registering the same key again replaces it (so reloads are harmless)."""
    if not KEY.match(key) or key in RESERVED_KEYS:
        raise ValueError(
            f"Chart tab key {key!r} must be a short lower-case slug and not one of {sorted(RESERVED_KEYS)}"
        )
    return _tabs.register(ChartTab(key, label, section, view, order))


def unregister_tab(key: str) -> None:
    _tabs.unregister(key)


def get_tab(key: str) -> ChartTab | None:
    return _tabs.get(key)


def all_tabs() -> list[ChartTab]:
    return _tabs.entries()


def visible_tabs(chart) -> list[ChartTab]:
    """The tabs whose section ``chart`` (a ``ChartAccess``) allows."""
    return [tab for tab in all_tabs() if chart.allows(tab.section)]


@dataclass(frozen=True)
class ChartBanner:
    """A warning another app shows at the top of every chart tab, to those who may see ``section``.

    ``provider(client)`` returns ``(text, url)`` pairs (no PHI beyond what ``section`` allows; ``url`` may be "")."""

    key: str
    section: str
    provider: Callable[..., list[tuple[str, str]]]
    order: int


_banners: Registry[ChartBanner] = Registry()


def register_banner(key: str, section: str, provider, order: int = 100) -> ChartBanner:
    """Add a banner source to every chart (e.g. measures: a critical answer awaiting a clinician's response)."""
    return _banners.register(ChartBanner(key, section, provider, order))


def banners_for(client, chart) -> list[tuple[str, str]]:
    return [item for banner in _banners.entries() if chart.allows(banner.section) for item in banner.provider(client)]


def _section_of(tab_key: str) -> str:
    tab = get_tab(tab_key)
    return tab.section if tab else ""


def header_context(request: HttpRequest, client, chart, section: str, contacts=None) -> dict:
    """What the chart header shows on every tab: age, the alerts this person may see (one query), and whether a
    minor lacks a guardian on file (one query, only for minors; none if ``contacts`` are already loaded).

    ``section`` is the section of the page being shown; clinical alerts shown on a non-clinical page are audited
    as a clinical read."""
    from audit.services import record
    from clients import policies
    from clients.alerts import services as alerts
    from clients.contacts.services import needs_guardian

    today = clinic_today(request.organization)
    header_alerts = alerts.visible_alerts(client, chart.sections)
    if section != policies.CLINICAL and any(
        policies.ALERT_SECTIONS[alert.kind] == policies.CLINICAL for alert in header_alerts
    ):
        # Clinical alerts in the header are a clinical read even on a demographics tab: audit it as one.
        record(
            "client.viewed",
            request=request,
            target=client,
            client_id=client.pk,
            detail={"section": policies.CLINICAL, "part": "alerts"},
        )
    return {
        "age": client.age_on(today),
        "header_alerts": header_alerts,
        "guardian_missing": needs_guardian(client, today, contacts),
        "chart_banners": banners_for(client, chart),
    }


def render_tab(request: HttpRequest, client, chart, tab_key: str, template: str, context=None, status=200):
    """Render ``template`` (which extends ``clients/chart.html``) with the chart header and tab bar."""
    context = context or {}
    full = {
        "client": client,
        "chart": chart,
        **header_context(request, client, chart, _section_of(tab_key), context.get("contacts")),
        "tabs": visible_tabs(chart),
        # ``clients:tab`` is the chart's URL plus ``<key>/``: one reversal for the whole tab bar, not one per tab.
        "tab_url_prefix": reverse("clients:chart", args=[client.pk]),
        "current_tab": tab_key,
        **context,
    }
    return render(request, template, full, status=status)


def back_to_tab(request: HttpRequest, pk: int, tab_key: str, message: str) -> HttpResponse:
    """After a change made from a tab: say what was done, and show the tab again."""
    messages.success(request, message)
    return redirect("clients:tab", pk=pk, tab=tab_key)
