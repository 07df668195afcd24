"""The Measures chart tab, giving a questionnaire in session, and answering safety flags."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from audit.services import record
from clients import access, tabs
from clients.policies import CLINICAL
from core.authz import get_for_clinic_or_404, require
from core.clinic_time import clinic_zone
from core.forms import call_service, submit
from core.paging import page_number, window
from measures import policies, selectors
from measures.administrations import services
from measures.administrations.forms import QuestionnaireForm, ResponseForm
from measures.administrations.models import Method, SafetyFlag
from measures.chart import svg
from measures.instruments.models import Instrument
from measures.instruments.services import cutoff_for
from measures.links.forms import KioskForm, ScheduleForm, SendLinkForm
from measures.links.models import MeasureSchedule

PAGE_SIZE = 20


def measures_tab(request, client, chart):
    """Each instrument's trend (SVG and table), open safety flags, and the client's administrations, paged."""
    trends = selectors.trends(client)
    zone = clinic_zone()
    charts = [(trend, svg.build(trend, cutoff_for(trend.instrument), zone)) for trend in trends]
    page = window(selectors.administrations(client), page_number(request.GET.get("page")), PAGE_SIZE)
    can_administer = policies.can_administer(request.membership, chart.sections)
    context = {
        "charts": charts,
        "page": page,
        "flags": selectors.open_flags(client),
        "can_administer": can_administer,
        "can_respond": policies.can_respond_to_flag(request.membership, chart.sections),
    }
    if can_administer:
        context |= {
            "instruments": Instrument.objects.filter(is_active=True).order_by("name"),
            "send_form": SendLinkForm(),
            "kiosk_form": KioskForm(),
            "schedule_form": ScheduleForm(),
            "schedules": MeasureSchedule.objects.filter(client=client, is_active=True).select_related("instrument"),
        }
    return tabs.render_tab(request, client, chart, "measures", "measures/tab.html", context)


def _administering(request, pk: int):
    return access.get_chart_to_change(request, pk, CLINICAL, policies.can_administer, "measures.administer")


def _instrument(key: str) -> Instrument:
    instrument = Instrument.objects.filter(key=key, is_active=True).first()
    if instrument is None:
        raise Http404("No such questionnaire.")
    return instrument


@login_required
def give(request, pk: int, key: str):
    """The clinician reads the questionnaire with the client in session and records the answers."""
    client, chart = _administering(request, pk)
    instrument = _instrument(key)
    form = QuestionnaireForm(instrument.spec, request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            services.record_administration,
            client,
            instrument,
            answers=form.answers(),
            method=Method.IN_SESSION,
            actor=request.membership,
            request=request,
        )
        if saved:
            return tabs.back_to_tab(request, pk, "measures", f"{instrument.name} saved.")
    context = {"form": form, "instrument": instrument}
    return tabs.render_tab(request, client, chart, "measures", "measures/give.html", context)


@login_required
def administration_detail(request, pk: int, administration_pk: int):
    client, chart = access.get_chart(request, pk, CLINICAL)
    require(request, policies.can_view_measures(request.membership, chart.sections), "measures.view", client)
    administration = get_for_clinic_or_404(
        request, selectors.administrations(client), "measures.view", administration_pk
    )
    spec = administration.instrument.spec
    labels = dict(spec.scale)
    rows = [
        (item, answer, labels.get(answer, "Not answered") if answer is not None else "Not answered")
        for item, answer in zip(spec.items, administration.answers, strict=True)
    ]
    context = {"administration": administration, "rows": rows}
    return tabs.render_tab(request, client, chart, "measures", "measures/administration.html", context)


@login_required
def respond(request, pk: int, flag_pk: int):
    """Document the response to a critical answer; the chart banner clears."""
    client, chart = access.get_chart_to_change(
        request, pk, CLINICAL, policies.can_respond_to_flag, "measures.safety_respond"
    )
    flag = get_for_clinic_or_404(
        request,
        SafetyFlag.objects.filter(client=client).select_related("administration__instrument"),
        "measures.safety_respond",
        flag_pk,
    )
    form = ResponseForm(request.POST or None)
    if flag.responded_at is None and submit(request, form, services.respond_to_flag, flag):
        return tabs.back_to_tab(request, pk, "measures", "Response documented. The banner is cleared.")
    context = {"form": form, "flag": flag}
    return tabs.render_tab(request, client, chart, "measures", "measures/respond.html", context)


@login_required
def flags(request):
    """The critical answers the signed-in clinician was alerted about and nobody has answered yet."""
    actor = request.membership
    require(request, policies.sees_safety_notices(actor), "measures.safety_list")
    open_flags = list(
        SafetyFlag.objects.filter(notified=actor, responded_at__isnull=True, client__in=access.visible_clients(actor))
        .select_related("client", "administration__instrument")
        .order_by("raised_at")[:100]
    )
    record("measures.safety_list_viewed", request=request, detail={"count": len(open_flags)})
    rows = [(flag, reverse("clients:tab", args=[flag.client_id, "measures"])) for flag in open_flags]
    return render(request, "measures/flags.html", {"rows": rows})


def chart_banners(client) -> list[tuple[str, str]]:
    """For the chart header (``clients.tabs.register_banner``), shown only to those who may see clinical content."""
    return [
        (
            f"Critical answer on the {flag.administration.instrument.name} of "
            f"{timezone.localtime(flag.raised_at, clinic_zone()):%b %-d, %Y}: a clinician must document a response.",
            reverse("measures:respond", args=[client.pk, flag.pk]),
        )
        for flag in selectors.open_flags(client)
    ]
