"""Sending a link, handing over the tablet, and the pages a client answers on (no staff sign-in).

The client's pages show the questionnaire and nothing else about the clinic's records. Opening a link (GET)
changes nothing; the client first confirms their date of birth (remembered in their session for this link only).
Visits are throttled per address. Whatever is wrong with a link, the page says the same thing.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from audit.models import Outcome
from audit.request_info import client_ip
from audit.services import record
from clients import access, tabs
from clients.policies import CLINICAL
from core.forms import submit
from measures import policies
from measures.administrations.forms import QuestionnaireForm
from measures.links import services
from measures.links.forms import BirthDateForm, KioskForm, ScheduleForm, SendLinkForm
from measures.links.models import MeasureLink

KIOSK_SESSION_KEY = "measures_kiosk_token"
RATE = "30/10m"


def _administering(request, pk: int):
    return access.get_chart_to_change(request, pk, CLINICAL, policies.can_administer, "measures.administer")


def _errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
@require_POST
def send(request, pk: int):
    client, _chart = _administering(request, pk)
    form = SendLinkForm(request.POST)
    if submit(request, form, services.send_link, client):
        return tabs.back_to_tab(request, pk, "measures", "Link sent. It works once, for three days.")
    return _form_refused(request, pk, form)


@login_required
@require_POST
def schedule(request, pk: int):
    client, _chart = _administering(request, pk)
    form = ScheduleForm(request.POST)
    if submit(request, form, services.set_schedule, client):
        return tabs.back_to_tab(request, pk, "measures", "Schedule saved.")
    return _form_refused(request, pk, form)


def _form_refused(request, pk: int, form):
    messages.error(request, _errors(form) or "Please check the form.")
    return redirect("clients:tab", pk=pk, tab="measures")


@login_required
@require_POST
def kiosk_start(request, pk: int):
    """Hand the tablet to the client: the staff member is signed out and the tablet shows only the questionnaire."""
    client, _chart = _administering(request, pk)
    form = KioskForm(request.POST)
    token = submit(request, form, services.start_kiosk, client)
    if not token:
        return _form_refused(request, pk, form)
    logout(request)
    request.session[KIOSK_SESSION_KEY] = token
    return redirect("measures:kiosk")


def _throttled(request):
    if is_ratelimited(
        request, group="measure_link", key=lambda group, req: client_ip(req) or "", rate=RATE, increment=True
    ):
        record("security.rate_limited", request=request, outcome=Outcome.DENIED, detail={"path": "measure link"})
        context = {"title": "Too many attempts", "message": "Please wait ten minutes and try again."}
        response = render(request, "measures/problem.html", context, status=429)
        response["Retry-After"] = "600"
        return response
    return None


def _problem(request, reason: str):
    record("measures.link_refused", request=request, outcome=Outcome.DENIED, detail={"reason": reason})
    problem = services.LinkProblem()
    return render(request, "measures/problem.html", {"title": problem.title, "message": problem.message}, status=410)


def _questionnaire(request, link: MeasureLink, done_url: str, template: str):
    form = QuestionnaireForm(link.instrument.spec, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer(link, answers=form.answers(), request=request)
        except services.LinkProblem:
            return _problem(request, "used")
        return redirect(done_url)
    return render(request, template, {"form": form, "instrument": link.instrument})


@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    """A client's one-time link: date of birth first, then the questionnaire."""
    throttled = _throttled(request)
    if throttled:
        return throttled
    try:
        link = services.link_for_token(token)
    except services.LinkProblem:
        return _problem(request, "token")
    verified_key = f"measures_link_{link.pk}"
    if not request.session.get(verified_key):
        form = BirthDateForm(request.POST or None)
        error = ""
        if request.method == "POST" and form.is_valid():
            try:
                ok = services.check_birth_date(link, form.cleaned_data["date_of_birth"], request=request)
            except services.LinkProblem:
                return _problem(request, "locked")
            if ok:
                request.session[verified_key] = True
                return redirect(request.path)
            error = "That date of birth doesn't match our records. Please try again."
        return render(request, "measures/birth_date.html", {"form": form, "error": error})
    return _questionnaire(request, link, "measures:done", "measures/public.html")


def done(request):
    return render(request, "measures/done.html", {"kiosk": False})


@require_http_methods(["GET", "POST"])
def kiosk(request):
    """The tablet: the handed-over questionnaire, or the locked screen when there is none."""
    token = request.session.get(KIOSK_SESSION_KEY)
    if not token:
        return render(request, "measures/done.html", {"kiosk": True})
    try:
        link = services.link_for_token(token)
    except services.LinkProblem:
        request.session.pop(KIOSK_SESSION_KEY, None)
        return render(request, "measures/done.html", {"kiosk": True})
    response = _questionnaire(request, link, "measures:kiosk", "measures/public.html")
    if response.status_code == 302:
        request.session.pop(KIOSK_SESSION_KEY, None)
    return response
