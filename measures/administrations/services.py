"""Saving a questionnaire, and the safety flag a critical answer raises.

Guarantees:

- **Never scored as zero.** ``record_administration`` scores with the instrument's own rules
  (``scoring.score``): too many missing answers saves an ``incomplete`` administration with no total.
- **Safety first.** A critical item answered above its lowest value (PHQ-9 item 9) raises a ``SafetyFlag`` in the
  same transaction as the answers, however they arrived (in session, the tablet, a link at 3 a.m.): the client's
  primary clinician sees it on their next page and on the chart until a clinician documents a response, and gets
  an email (queued on commit, without PHI). Raising and answering are audited.
- **Audit without PHI.** Events name the instrument, the status and the method, never answers or totals.
"""

import datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.people.models import Membership
from audit.services import record
from clients.records.models import Client
from measures.administrations.models import Administration, Method, SafetyFlag, Status
from measures.instruments import scoring
from measures.instruments.models import Instrument
from measures.instruments.services import cutoff_for
from tenancy.context import require_organization
from tenancy.resolver import clinic_url

SAFETY_SUBJECT = "Hearth: a questionnaire answer needs your review"
NOTICE_CACHE_SECONDS = 60


def notice_key(membership_id: int) -> str:
    return f"measures:open-flags:{membership_id}"


def open_flag_count(actor: Membership) -> int:
    """Open safety flags the person was alerted for, cached: the header shows it on every page."""
    key = notice_key(actor.pk)
    count = cache.get(key)
    if count is None:
        count = SafetyFlag.objects.filter(notified=actor, responded_at__isnull=True).count()
        cache.set(key, count, NOTICE_CACHE_SECONDS)
    return count


@transaction.atomic
def record_administration(
    client: Client,
    instrument: Instrument,
    *,
    answers: list[int | None],
    method: str,
    actor: Membership | None = None,
    actor_label: str = "",
    request=None,
    now: datetime.datetime | None = None,
) -> Administration:
    """Score and save one questionnaire; raise a safety flag for a critical answer. ``actor`` is the clinician who
    gave it, or None when the client answered alone (``actor_label`` then says how, for the audit report)."""
    if method not in Method.values:
        raise ValidationError("Unknown way of giving the questionnaire.")
    now = now or timezone.now()
    result = scoring.score(instrument.spec, answers, cutoff=cutoff_for(instrument))
    administration = Administration.objects.create(
        client=client,
        instrument=instrument,
        answers=list(answers),
        status=Status.COMPLETE if result.status == scoring.COMPLETE else Status.INCOMPLETE,
        total=result.total,
        prorated=result.prorated,
        band=result.band.label if result.band else "",
        band_level=result.band.level if result.band else None,
        method=method,
        administered_by=actor,
        completed_at=now,
    )
    record(
        "measures.administered",
        request=request,
        actor=actor.user if actor else None,
        actor_label=actor_label,
        target=administration,
        client_id=client.pk,
        detail={"instrument": instrument.key, "status": administration.status, "method": method},
    )
    if result.critical_items:
        _raise_flag(administration, list(result.critical_items), request=request, actor_label=actor_label, now=now)
    return administration


def _raise_flag(administration: Administration, items: list[int], *, request, actor_label: str, now) -> SafetyFlag:
    client = administration.client
    notified = client.primary_clinician if client.primary_clinician_id else None
    if notified is not None and not notified.is_active:
        notified = None
    flag = SafetyFlag.objects.create(
        administration=administration, client=client, items=items, notified=notified, raised_at=now
    )
    record(
        "measures.safety_flag_raised",
        request=request,
        actor_label=actor_label,
        target=flag,
        client_id=client.pk,
        detail={"instrument": administration.instrument.key, "items": items, "notified": notified and notified.pk},
    )
    if notified is not None:
        organization = require_organization()
        address, pk = notified.user.email, notified.pk

        cache.delete(notice_key(pk))

        def tell() -> None:
            cache.delete(notice_key(pk))
            _email_clinician(address, organization)

        transaction.on_commit(tell)
    return flag


def _email_clinician(address: str, organization) -> None:
    """Fixed text and a link to the sign-in-protected list: nothing about the client or the answer."""
    if not address:
        return
    body = (
        "A client on your caseload gave an answer on a questionnaire that needs a clinician's review.\n\n"
        f"Sign in to see it: {clinic_url(organization, reverse('measures:flags'))}\n"
    )
    EmailMessage(subject=SAFETY_SUBJECT, body=body, to=[address]).send(fail_silently=True)


@transaction.atomic
def respond_to_flag(flag: SafetyFlag, *, actor: Membership, response: str, request=None) -> SafetyFlag:
    """Document what the clinician did about a critical answer; the chart banner goes away."""
    response = (response or "").strip()
    if len(response) < 10:
        raise ValidationError({"response": "Describe what you did (at least a sentence), e.g. the risk assessment."})
    current = SafetyFlag.objects.select_for_update().get(pk=flag.pk)
    if current.responded_at is not None:
        raise ValidationError("A response to this answer was already documented.")
    current.responded_at, current.responded_by, current.response = timezone.now(), actor, response[:4000]
    current.save(update_fields=["responded_at", "responded_by", "response"])
    record(
        "measures.safety_flag_responded",
        request=request,
        actor=actor.user,
        target=current,
        client_id=current.client_id,
        detail={"flag": current.pk},
    )
    keys = [notice_key(pk) for pk in {actor.pk, current.notified_id} if pk]
    # Now (this request's next page) and after commit (in case another request cached the old count meanwhile).
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
    return current
