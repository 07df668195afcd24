"""The chart's Amendments tab: a client's requests to amend their record, their deadlines and the decisions.

Why a tab of its own rather than a part of Documents: a request can concern any part of the chart (an address,
a diagnosis, a note), not only an uploaded file; its 60-day deadline has to stand out wherever the person looks
first; and each request is visible only to those who may see the section it concerns. The tab belongs to the
demographics section (everyone who may open the chart sees it) and lists only requests in the person's sections;
a request about a document links to it, and the document list links back to an accepted correction.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.services import record
from clients import access, policies, tabs
from clients.amendments import services as amendments
from clients.amendments.forms import (
    AcceptForm,
    AmendmentRequestForm,
    ClientResponseForm,
    DenyForm,
    DisagreementForm,
    ExtendForm,
    NotificationForm,
    NotificationOutcomeForm,
)
from clients.amendments.models import AmendmentNotification, AmendmentRequest, AmendmentStatus, NotificationAgreement
from clients.consents.models import Disclosure
from clients.documents.models import DocumentStatus
from core.authz import get_for_clinic_or_404, require
from core.clinic_time import clinic_today
from core.forms import call_service, submit
from core.paging import page_of

TAB_PAGE_SIZE = 25


def amendments_tab(request, client, chart):
    rows = page_of(request, amendments.chart_amendments(client, chart.sections), TAB_PAGE_SIZE)
    today = clinic_today(request.organization)
    counts = amendments.chart_amendment_counts(client, chart.sections, today)
    record(
        "amendment.listed",
        request=request,
        target=client,
        client_id=client.pk,
        detail={"sections": sorted(chart.sections), "count": len(rows)},
    )
    for row in rows:
        row.overdue = row.is_overdue(today)
    context = {
        "rows": rows,
        "overdue_count": counts["overdue"],
        "outstanding_count": counts["outstanding"],
        "can_record": bool(_record_sections(request, chart)),
        "today": today,
    }
    return tabs.render_tab(request, client, chart, "amendments", "clients/tab_amendments.html", context)


def _record_sections(request, chart) -> frozenset[str]:
    return frozenset(
        section
        for section in sorted(policies.ALL_SECTIONS)
        if policies.can_record_amendment_request(request.membership, chart.sections, section)
    )


@login_required
def amendment_add(request, pk: int):
    client, chart = access.get_chart(request, pk, policies.DEMOGRAPHICS)
    allowed = _record_sections(request, chart)
    require(request, bool(allowed), "clients.amendments.record", client)
    today = clinic_today(request.organization)
    candidates = client.documents.filter(section__in=allowed, status=DocumentStatus.CURRENT).order_by("-uploaded_at")
    form = AmendmentRequestForm(
        request.POST or None, initial={"received_on": today}, allowed_sections=allowed, documents=candidates
    )
    if amendment := submit(request, form, amendments.record_request, client, today=today):
        messages.success(request, f"Amendment request recorded. A decision is due by {amendment.due_on:%b %d, %Y}.")
        return redirect("clients:amendment", pk=pk, amendment_pk=amendment.pk)
    context = {"form": form}
    return tabs.render_tab(request, client, chart, "amendments", "clients/amendment_form.html", context)


def _amendment_for(request, pk: int, amendment_pk: int, permission: str):
    """The request (404 + audit unless this client's, in this clinic), checked for its section (403 + audit)."""
    amendment = get_for_clinic_or_404(
        request,
        AmendmentRequest.objects.filter(client_id=pk).select_related(
            "document", "recorded_by__user", "decided_by__user", "extended_by__user", "disagreement_recorded_by__user"
        ),
        permission,
        amendment_pk,
    )
    client, chart = access.get_chart(request, pk, amendment.section)
    return client, chart, amendment


def _detail(request, client, chart, amendment, *, bound=None, status=200):
    """The request with the forms the person may use; ``bound`` is a submitted form to show with its errors."""
    actor = request.membership
    today = clinic_today(request.organization)
    can_decide = policies.can_decide_amendment(actor, chart.sections, amendment.section)
    pending = amendment.is_pending
    initial = {"version": amendment.version}
    forms = {
        "extend_form": ExtendForm(initial=initial, prefix="extend")
        if can_decide and pending and not amendment.was_extended and today <= amendment.due_on
        else None,
        "accept_form": AcceptForm(initial=initial, prefix="accept") if can_decide and pending else None,
        "deny_form": DenyForm(initial=initial, prefix="deny") if can_decide and pending else None,
        "disagreement_form": DisagreementForm(initial={**initial, "disagreement_received_on": today}, prefix="disagree")
        if amendment.status == AmendmentStatus.DENIED
        and not amendment.disagreement
        and policies.can_record_amendment_request(actor, chart.sections, amendment.section)
        else None,
    }
    if bound is not None:
        forms[bound[0]] = bound[1]
    context = {
        "amendment": amendment,
        "overdue": amendment.is_overdue(today),
        "can_decide": can_decide,
        **forms,
        **_notification_context(request, chart, amendment, can_decide, today, bound),
    }
    return tabs.render_tab(request, client, chart, "amendments", "clients/amendment_detail.html", context, status)


def _notification_context(request, chart, amendment, can_decide, today, bound) -> dict:
    """After an acceptance: who is to be told, the forms to record it, and suggestions from the disclosures log."""
    if amendment.status != AmendmentStatus.ACCEPTED:
        if bound is not None and bound[0] in ("response_form", "notification_form"):
            messages.error(request, " ".join(bound[1].non_field_errors()) or "Only an accepted amendment is notified.")
        return {}
    notifications = list(amendment.notifications.select_related("done_by__user").order_by("added_at", "pk"))
    agreed = amendment.notification_agreement == NotificationAgreement.AGREED
    bound_key, bound_form = bound if bound is not None else (None, None)
    for notification in notifications:
        notification.outcome_form = None
        if bound_key == f"outcome_{notification.pk}":
            notification.outcome_form = bound_form  # with its errors, even if someone else just recorded it
        elif can_decide and notification.is_outstanding:
            notification.outcome_form = NotificationOutcomeForm(
                initial={"version": notification.version, "on": today}, prefix=f"n{notification.pk}"
            )
    context = {
        "notifications": notifications,
        "outstanding": sum(1 for n in notifications if n.is_outstanding),
        "response_form": None,
        "notification_form": None,
        "suggestions": [],
    }
    if not can_decide:
        return context
    if bound_key != "response_form" and (amendment.client_informed_on is None or not amendment.notification_agreement):
        context["response_form"] = ClientResponseForm(
            initial={
                "version": amendment.version,
                "client_informed_on": amendment.client_informed_on,
                "notification_agreement": amendment.notification_agreement,
            },
            prefix="response",
        )
    elif bound_key == "response_form":
        context["response_form"] = bound_form
    if agreed:
        suggestions = (
            amendments.suggested_recipients(amendment, notifications) if policies.CONSENTS in chart.sections else []
        )
        context["suggestions"] = suggestions
        if suggestions:  # recipients from the disclosures log are a read of the consents section
            record(
                "amendment.recipients_suggested",
                request=request,
                target=amendment,
                client_id=amendment.client_id,
                detail={"section": policies.CONSENTS, "disclosure_ids": [d.pk for d in suggestions]},
            )
        if bound_key == "notification_form":
            context["notification_form"] = bound_form
        else:
            chosen = next((d for d in suggestions if str(d.pk) == request.GET.get("from_disclosure")), None)
            initial = (
                {
                    "recipient_name": chosen.recipient_name,
                    "recipient_organization": chosen.recipient_organization,
                    "disclosure": chosen.pk,
                }
                if chosen
                else {}
            )
            context["notification_form"] = NotificationForm(initial=initial, prefix="notify")
    return context


@login_required
def amendment_detail(request, pk: int, amendment_pk: int):
    client, chart, amendment = _amendment_for(request, pk, amendment_pk, "clients.amendments.view")
    record(
        "amendment.viewed",
        request=request,
        target=amendment,
        client_id=client.pk,
        detail={"section": amendment.section},
    )
    return _detail(request, client, chart, amendment)


def _decision(service, fields: dict[str, str], *, key, form_class, prefix, policy, permission, done):
    """A POST-only view for one decision form on a request: check, call ``service``, redirect or show the errors.

    ``fields`` maps the service's keyword arguments to the form's fields; every service also takes the actor,
    the clinic's today, the version the form was rendered with and the request.
    """

    @login_required
    @require_POST
    def view(request, pk: int, amendment_pk: int):
        client, chart, amendment = _amendment_for(request, pk, amendment_pk, permission)
        require(request, policy(request.membership, chart.sections, amendment.section), permission, amendment)
        form = form_class(request.POST, prefix=prefix)
        if form.is_valid() and call_service(
            form,
            service,
            amendment,
            actor=request.membership,
            today=clinic_today(request.organization),
            expected_version=form.cleaned_data["version"],
            request=request,
            **{argument: form.cleaned_data[field] for argument, field in fields.items()},
        ):
            messages.success(request, done)
            return redirect("clients:amendment", pk=pk, amendment_pk=amendment_pk)
        return _detail(request, client, chart, amendment, bound=(key, form))

    return view


_DECIDE = {"policy": policies.can_decide_amendment, "permission": "clients.amendments.decide"}

amendment_extend = _decision(
    amendments.extend,
    {"reason": "extension_reason"},
    key="extend_form",
    form_class=ExtendForm,
    prefix="extend",
    done="Deadline extended by 30 days. Tell the client in writing why, and the new date.",
    **_DECIDE,
)
amendment_accept = _decision(
    amendments.accept,
    {
        "correction": "correction",
        "client_informed_on": "client_informed_on",
        "notification_agreement": "notification_agreement",
    },
    key="accept_form",
    form_class=AcceptForm,
    prefix="accept",
    done="Amendment accepted: the correction is appended to the record. Tell the client it was made, and ask "
    "who else should be told.",
    **_DECIDE,
)
amendment_deny = _decision(
    amendments.deny,
    {"ground": "denial_ground", "explanation": "denial_explanation"},
    key="deny_form",
    form_class=DenyForm,
    prefix="deny",
    done="Amendment denied. Send the client the written denial, with their right to disagree.",
    **_DECIDE,
)
amendment_disagreement = _decision(
    amendments.record_disagreement,
    {"statement": "disagreement", "received_on": "disagreement_received_on"},
    key="disagreement_form",
    form_class=DisagreementForm,
    prefix="disagree",
    policy=policies.can_record_amendment_request,
    permission="clients.amendments.disagreement",
    done="Statement of disagreement recorded with the request.",
)
amendment_response = _decision(
    amendments.record_client_response,
    {"informed_on": "client_informed_on", "agreement": "notification_agreement"},
    key="response_form",
    form_class=ClientResponseForm,
    prefix="response",
    done="Client's answer recorded.",
    **_DECIDE,
)


@login_required
@require_POST
def amendment_notification_add(request, pk: int, amendment_pk: int):
    """List someone to tell of the amendment; a suggestion from the disclosures log carries its disclosure's id."""
    permission = "clients.amendments.decide"
    client, chart, amendment = _amendment_for(request, pk, amendment_pk, permission)
    require(
        request,
        policies.can_decide_amendment(request.membership, chart.sections, amendment.section),
        permission,
        amendment,
    )
    form = NotificationForm(request.POST, prefix="notify")
    if form.is_valid():
        disclosure = None
        if form.cleaned_data["disclosure"] and policies.CONSENTS in chart.sections:
            disclosure = Disclosure.objects.filter(client_id=client.pk, pk=form.cleaned_data["disclosure"]).first()
        data = {name: form.cleaned_data[name] for name in amendments.NOTIFICATION_FIELDS}
        if call_service(
            form,
            amendments.add_notification,
            amendment,
            actor=request.membership,
            data=data,
            disclosure=disclosure,
            request=request,
        ):
            messages.success(request, f"{data['recipient_name'].strip()} added to the people to notify.")
            return redirect(reverse("clients:amendment", args=[pk, amendment_pk]) + "#notify-heading")
    return _detail(request, client, chart, amendment, bound=("notification_form", form))


@login_required
@require_POST
def amendment_notification_outcome(request, pk: int, amendment_pk: int, notification_pk: int):
    """Mark one listed recipient notified or not reachable."""
    permission = "clients.amendments.decide"
    client, chart, amendment = _amendment_for(request, pk, amendment_pk, permission)
    notification = get_for_clinic_or_404(
        request, AmendmentNotification.objects.filter(amendment_id=amendment.pk), permission, notification_pk
    )
    require(
        request,
        policies.can_decide_amendment(request.membership, chart.sections, amendment.section),
        permission,
        notification,
    )
    form = NotificationOutcomeForm(request.POST, prefix=f"n{notification.pk}")
    today = clinic_today(request.organization)
    if submit(request, form, amendments.record_notification_outcome, notification, today=today):
        messages.success(request, f"Recorded for {notification.recipient_name}.")
        return redirect(reverse("clients:amendment", args=[pk, amendment_pk]) + "#notify-heading")
    return _detail(request, client, chart, amendment, bound=(f"outcome_{notification.pk}", form))
