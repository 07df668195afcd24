"""The chart's Consents tab, its forms, and the accounting of disclosures (screen, print and CSV).

Every view opens the chart through ``access.get_chart`` with the consents section (404 for another clinic, 403
outside the role, ``client.viewed`` audited), then asks ``clients.policies`` what the person may do here.
"""

import csv
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.models import Outcome
from audit.services import record
from clients import access, policies, tabs
from clients.consents import services as consents
from clients.consents.forms import (
    AccountingForm,
    AuthorizationForm,
    ConsentForm,
    DisclosureForm,
    DisclosureInErrorForm,
    ExpiryEventForm,
    Part2Form,
    RevokeAuthorizationForm,
    RevokeConsentForm,
)
from clients.consents.models import ConsentKind, ConsentStatus
from core.authz import get_for_clinic_or_404
from core.clinic_time import clinic_now, clinic_today
from core.forms import add_validation_errors, submit
from core.paging import page_of

TAB = "consents"
TAB_PAGE_SIZE = 20
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = (
    "date_released",
    "recipient_name",
    "recipient_organization",
    "recipient_address",
    "information_released",
    "purpose",
    "basis",
    "part2_records",
    "released_by",
)


def _chart(request, pk: int, allowed, permission: str):
    """The chart (consents section) if ``allowed(actor, sections)``; otherwise 403 with an audit entry."""
    return access.get_chart_to_change(request, pk, policies.CONSENTS, allowed, permission)


def _render(request, client, chart, template: str, context: dict, status: int = 200):
    return tabs.render_tab(request, client, chart, TAB, f"clients/consents/{template}", context, status=status)


# --- The tab -------------------------------------------------------------------------------------------------


def consents_tab(request, client, chart):
    """Registered as the chart's Consents tab: ``client.viewed`` (section consents) is already audited."""
    actor, today = request.membership, clinic_today(request.organization)
    part2 = consents.is_part2(client)
    authorizations = list(
        client.authorizations.select_related("recorded_by__user", "revoked_by__user").order_by("-effective_date", "-pk")
    )
    for authorization in authorizations:
        authorization.status = authorization.status_on(today)
        authorization.status_label = ConsentStatus(authorization.status).label
    if not policies.can_see_consent_details(actor, chart.sections):
        context = {"part2": part2, "payer_authorizations": consents.payer_authorizations(authorizations)}
        return _render(request, client, chart, "tab_summary.html", context)
    consent_rows = page_of(
        request,
        client.consents.select_related("recorded_by__user", "revoked_by__user").order_by("-signed_date", "-pk"),
        TAB_PAGE_SIZE,
        "consents",
    )
    for consent in consent_rows:
        consent.status = consent.status_on(today)
        consent.status_label = ConsentStatus(consent.status).label
    in_force = consents.current_consents(list(consents.in_force(client, today)), today)
    groups = {status: [a for a in authorizations if a.status == status] for status in ConsentStatus.values}
    context = {
        "part2": part2,
        "current_consents": in_force,
        "has_treatment_consent": any(c.kind == ConsentKind.TREATMENT for c in in_force),
        "consents": consent_rows,
        "active_authorizations": groups[ConsentStatus.ACTIVE] + groups[ConsentStatus.PENDING],
        "expired_authorizations": groups[ConsentStatus.EXPIRED],
        "revoked_authorizations": groups[ConsentStatus.REVOKED],
        "disclosures": page_of(
            request,
            client.disclosures.select_related(
                "authorization", "released_by__user", "entered_in_error_by__user"
            ).order_by("-disclosed_on", "-pk"),
            TAB_PAGE_SIZE,
            "disclosures",
        ),
        "can_record": policies.can_record_consents(actor, chart.sections),
        "can_disclose": policies.can_record_disclosures(actor, chart.sections),
        "can_correct": policies.can_correct_disclosures(actor, chart.sections),
        "can_account": policies.can_view_accounting(actor, chart.sections),
        "can_mark_part2": policies.can_mark_part2(actor, chart.sections),
        "can_clear_part2": policies.can_clear_part2(actor, chart.sections),
        "part2_form": Part2Form(initial={"part2": part2}),
    }
    return _render(request, client, chart, "tab.html", context)


# --- Consents ------------------------------------------------------------------------------------------------


@login_required
def consent_add(request, pk: int):
    client, chart = _chart(request, pk, policies.can_record_consents, "clients.consents.record")
    form = ConsentForm(request.POST or None, initial={"signed_date": clinic_today(request.organization)})
    if consent := submit(request, form, consents.record_consent, client):
        return tabs.back_to_tab(request, pk, TAB, f"{consent.get_kind_display()} recorded.")
    return _render(request, client, chart, "consent_form.html", {"form": form})


@login_required
def consent_revoke(request, pk: int, consent_pk: int):
    client, chart = _chart(request, pk, policies.can_record_consents, "clients.consents.revoke")
    consent = get_for_clinic_or_404(request, client.consents.all(), "clients.consents.revoke", consent_pk)
    today = clinic_today(request.organization)
    form = RevokeConsentForm(request.POST or None, initial={"version": consent.version, "revoked_on": today})
    if submit(request, form, consents.revoke_consent, consent):
        return tabs.back_to_tab(request, pk, TAB, f"{consent.get_kind_display()} revoked.")
    return _render(request, client, chart, "consent_revoke.html", {"form": form, "consent": consent})


# --- Authorisations ------------------------------------------------------------------------------------------


@login_required
def authorization_add(request, pk: int):
    client, chart = _chart(request, pk, policies.can_record_consents, "clients.authorizations.add")
    part2 = consents.is_part2(client)
    today = clinic_today(request.organization)
    initial = {"signed_date": today, "effective_date": today, "categories": ["sud"] if part2 else []}
    form = AuthorizationForm(request.POST or None, initial=initial)
    if submit(request, form, consents.add_authorization, client):
        return tabs.back_to_tab(request, pk, TAB, "Release of information authorisation recorded.")
    return _render(request, client, chart, "authorization_form.html", {"form": form, "part2": part2})


def _authorization(request, pk: int, authorization_pk: int, allowed, permission: str):
    """The chart (as ``_chart``) and one of its authorisations (404 + audit unless this client's)."""
    client, chart = _chart(request, pk, allowed, permission)
    queryset = client.authorizations.select_related("recorded_by__user", "revoked_by__user")
    return client, chart, get_for_clinic_or_404(request, queryset, permission, authorization_pk)


@login_required
def authorization_detail(request, pk: int, authorization_pk: int):
    client, chart, authorization = _authorization(
        request, pk, authorization_pk, policies.can_see_consent_details, "clients.authorizations.view"
    )
    authorization.status = authorization.status_on(clinic_today(request.organization))
    authorization.status_label = ConsentStatus(authorization.status).label
    context = {
        "authorization": authorization,
        "part2": consents.is_part2(client),
        "part2_gaps": consents.part2_gaps(authorization),
        "disclosures": list(authorization.disclosures.select_related("released_by__user").order_by("-disclosed_on")),
        "can_record": policies.can_record_consents(request.membership, chart.sections),
    }
    return _render(request, client, chart, "authorization_detail.html", context)


@login_required
def authorization_revoke(request, pk: int, authorization_pk: int):
    client, chart, authorization = _authorization(
        request, pk, authorization_pk, policies.can_record_consents, "clients.authorizations.revoke"
    )
    today = clinic_today(request.organization)
    form = RevokeAuthorizationForm(
        request.POST or None, initial={"version": authorization.version, "revoked_on": today}
    )
    if submit(request, form, consents.revoke_authorization, authorization):
        return tabs.back_to_tab(request, pk, TAB, "Authorisation revoked.")
    context = {"form": form, "authorization": authorization}
    return _render(request, client, chart, "authorization_revoke.html", context)


@login_required
def authorization_expiry_event(request, pk: int, authorization_pk: int):
    client, chart, authorization = _authorization(
        request, pk, authorization_pk, policies.can_record_consents, "clients.authorizations.expiry_event"
    )
    today = clinic_today(request.organization)
    form = ExpiryEventForm(request.POST or None, initial={"version": authorization.version, "occurred_on": today})
    if submit(request, form, consents.record_expiry_event, authorization):
        return tabs.back_to_tab(request, pk, TAB, "Expiry event recorded: the authorisation has ended.")
    context = {"form": form, "authorization": authorization}
    return _render(request, client, chart, "authorization_event.html", context)


# --- 42 CFR Part 2 -------------------------------------------------------------------------------------------


@login_required
@require_POST
def part2_flag(request, pk: int):
    form = Part2Form(request.POST)
    form.is_valid()
    part2 = form.cleaned_data["part2"]
    allowed = policies.can_mark_part2 if part2 else policies.can_clear_part2
    client, _chart_access = _chart(request, pk, allowed, "clients.part2")
    consents.set_part2(client, actor=request.membership, part2=part2, request=request)
    done = "Marked as 42 CFR Part 2 records." if part2 else "The 42 CFR Part 2 marker was removed."
    return tabs.back_to_tab(request, pk, TAB, done)


# --- Disclosures ---------------------------------------------------------------------------------------------


@login_required
def disclosure_add(request, pk: int):
    client, chart = _chart(request, pk, policies.can_record_disclosures, "clients.disclosures.record")
    actor = request.membership
    form = DisclosureForm(
        request.POST or None, client=client, actor=actor, initial={"disclosed_on": clinic_today(request.organization)}
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in consents.DISCLOSURE_FIELDS}
        try:
            consents.record_disclosure(client, actor=actor, data=data, request=request)
        except consents.Part2Refusal as error:
            record(
                "disclosure.refused",
                request=request,
                target=client,
                client_id=client.pk,
                outcome=Outcome.DENIED,
                detail={"reason": "part2", "legal_basis": data["legal_basis"]},
            )
            add_validation_errors(form, error)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            return tabs.back_to_tab(request, pk, TAB, "Release of information logged.")
    context = {"form": form, "part2": consents.is_part2(client)}
    return _render(request, client, chart, "disclosure_form.html", context)


@login_required
def disclosure_in_error(request, pk: int, disclosure_pk: int):
    """Mark a logged release entered in error, with the reason; the row stays, struck through."""
    permission = "clients.disclosures.entered_in_error"
    client, chart = _chart(request, pk, policies.can_correct_disclosures, permission)
    queryset = client.disclosures.select_related("authorization", "released_by__user")
    disclosure = get_for_clinic_or_404(request, queryset, permission, disclosure_pk)
    form = DisclosureInErrorForm(request.POST or None, initial={"version": disclosure.version})
    if submit(request, form, consents.mark_disclosure_in_error, disclosure):
        done = "Release entry marked entered in error. It is no longer in the accounting."
        return tabs.back_to_tab(request, pk, TAB, done)
    return _render(request, client, chart, "disclosure_in_error.html", {"form": form, "disclosure": disclosure})


# --- Accounting of disclosures -------------------------------------------------------------------------------


def _accounting_form(request) -> AccountingForm:
    """The period from the query string; with none, the six years ending today, authorised releases included."""
    if "start" in request.GET or "end" in request.GET:
        return AccountingForm(request.GET)
    start, end = consents.default_accounting_period(clinic_today(request.organization))
    return AccountingForm({"start": start, "end": end, "include_authorized": True})


def _period_detail(form: AccountingForm, count: int, excluded: int) -> dict:
    data = form.cleaned_data
    return {
        "start": data["start"].isoformat(),
        "end": data["end"].isoformat(),
        "include_authorized": data["include_authorized"],
        "count": count,
        "excluded_in_error": excluded,
    }


def _report(client, form: AccountingForm):
    data = form.cleaned_data
    return consents.accounting_report(
        client, start=data["start"], end=data["end"], include_authorized=data["include_authorized"]
    )


@login_required
def accounting(request, pk: int):
    """The accounting of disclosures (HIPAA 164.528): printable; the report itself is audited."""
    client, _chart_access = _chart(request, pk, policies.can_view_accounting, "clients.disclosures.accounting")
    form = _accounting_form(request)
    disclosures, excluded = None, 0
    if form.is_valid():
        disclosures, excluded = _report(client, form)
        detail = _period_detail(form, len(disclosures), excluded)
        record("disclosures.accounting_viewed", request=request, target=client, client_id=client.pk, detail=detail)
    context = {
        "client": client,
        "form": form,
        "disclosures": disclosures,
        "excluded_in_error": excluded,
        "generated_at": timezone.now(),
        "query": _query(form),
    }
    return render(request, "clients/consents/accounting.html", context)


def _query(form: AccountingForm) -> str:
    """The period as a query string, for the CSV link and the way back from a refused export."""
    data = form.data
    pairs = [("start", data.get("start") or ""), ("end", data.get("end") or "")]
    if data.get("include_authorized"):
        pairs.append(("include_authorized", "on"))
    return urlencode(pairs)


def _cell(value) -> str:
    """Spreadsheets run cells that start like a formula; recipients and purposes are typed by people."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


@login_required
def accounting_csv(request, pk: int):
    """The same report as CSV (one client's releases: small enough to build in memory); audited."""
    client, _chart_access = _chart(request, pk, policies.can_view_accounting, "clients.disclosures.export")
    form = _accounting_form(request)
    if not form.is_valid():
        messages.error(request, "Correct the period below before exporting.")
        return redirect(f"{reverse('clients:accounting', args=[client.pk])}?{_query(form)}")
    disclosures, excluded = _report(client, form)
    record(
        "disclosures.accounting_exported",
        request=request,
        target=client,
        client_id=client.pk,
        detail=_period_detail(form, len(disclosures), excluded),
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for d in disclosures:
        writer.writerow(
            [
                d.disclosed_on.isoformat(),
                *map(
                    _cell,
                    (
                        d.recipient_name,
                        d.recipient_organization,
                        " ".join(d.recipient_address.split()),
                        d.information,
                        " ".join(d.purpose.split()),
                        d.basis_label,
                    ),
                ),
                "yes" if d.involves_sud else "no",
                _cell(d.released_by.user.full_name),
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = clinic_now(request.organization).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="disclosures-client-{client.number}-{stamp}.csv"'
    return response
