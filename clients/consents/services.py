"""Consents, release-of-information authorisations, the 42 CFR Part 2 flag and the disclosures log.

Every write here runs in one transaction that first locks the client's row (so the Part 2 flag, an authorisation
and a disclosure relying on it are checked against one consistent state), and records its audit event with the
client's id; ``detail`` carries ids, kinds and field names, never recipients or purposes (they are PHI).

The rules, each with its own message:

- nothing is signed, revoked or released on a date after today (the clinic's today);
- a consent's expiry follows its signing; an authorisation needs an expiry date or an expiry event (HIPAA
  164.508(c)(1)(v)), an expiry date after its effective date, and an effective date on or after its signing;
- a representative who signs gives their name (and, for an authorisation, their authority to act);
- when the client's record is flagged Part 2, or an authorisation covers SUD records, the authorisation must list
  SUD records explicitly and say how much and what kind of SUD information goes, to whom by name, and why
  (42 CFR 2.31);
- a disclosure relies on an authorisation that was in force on the day of release and covers what was released,
  or on a legal basis that needs none; SUD information is released only under such an authorisation that lists
  it, or to medical personnel in a bona fide medical emergency (42 CFR 2.51: the personnel, their facility, the
  time and the nature of the emergency are required), ``Part2Refusal`` otherwise. Court orders (2.61 and on)
  stay refused: their findings and limits need a review Hearth does not model;
- a mistaken disclosure entry is never deleted: it is marked entered in error with a reason (optimistic
  ``version``), stays on the chart struck through and leaves the accounting of disclosures.
"""

import datetime
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import dateformat, timezone

from accounts.people.models import Membership
from clients.consents.models import (
    Authorization,
    ClientPrivacy,
    Consent,
    ConsentStatus,
    Disclosure,
    LegalBasis,
    ReleaseCategory,
    SignedBy,
    category_labels,
)
from clients.events import record_change
from clients.records.models import Client
from core.clinic_time import clinic_now, clinic_today, clinic_zone
from core.versioning import lock_version, save_version

CONSENT_FIELDS = ["kind", "signed_date", "signed_by", "representative_name", "expires_on", "note"]
AUTHORIZATION_FIELDS = [
    "recipient_kind",
    "recipient_name",
    "recipient_organization",
    "recipient_address",
    "recipient_phone",
    "recipient_fax",
    "recipient_email",
    "purpose",
    "categories",
    "information_other",
    "sud_description",
    "signed_date",
    "signed_by",
    "representative_name",
    "representative_authority",
    "effective_date",
    "expiry_date",
    "expiry_event",
]
DISCLOSURE_FIELDS = [
    "disclosed_on",
    "legal_basis",
    "legal_basis_detail",
    "authorization",
    "recipient_name",
    "recipient_organization",
    "recipient_address",
    "categories",
    "information_description",
    "purpose",
    "released_by",
    "disclosed_time",
    "emergency_nature",
]
RECIPIENT_FIELDS = ("recipient_name", "recipient_organization", "recipient_address")
ACCOUNTING_YEARS = 6
REASON_MAX = 300
EMERGENCY_PURPOSE = "Treatment in a bona fide medical emergency (42 CFR 2.51)"


class Part2Refusal(ValidationError):
    """A release of substance use disorder information without an authorisation that allows it (42 CFR Part 2)."""


def _day(value: datetime.date) -> str:
    return dateformat.format(value, "M j, Y")


def is_part2(client: Client) -> bool:
    return ClientPrivacy.objects.filter(client=client, part2=True).exists()


def _lock(client: Client) -> None:
    """Serialize consent writes per client (and with the Part 2 flag) by locking the client's row."""
    Client.objects.select_for_update().filter(pk=client.pk).first()


def _ordered(categories) -> list[str]:
    """Categories once each, in the list's order (unknown values last, for validation to refuse)."""
    known = ReleaseCategory.values
    return sorted(set(categories), key=lambda value: (known.index(value) if value in known else len(known), value))


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- Consents ------------------------------------------------------------------------------------------------


def validate_consent(consent: Consent, *, today: datetime.date) -> None:
    errors = {}
    if consent.signed_date and consent.signed_date > today:
        errors["signed_date"] = "The signed date can't be in the future."
    if consent.expires_on and consent.signed_date and consent.expires_on <= consent.signed_date:
        errors["expires_on"] = "The expiry date must be after the signed date."
    if consent.signed_by == SignedBy.REPRESENTATIVE and not consent.representative_name.strip():
        errors["representative_name"] = "Give the name of the guardian or representative who signed."
    _raise(errors)


@transaction.atomic
def record_consent(client: Client, *, actor: Membership, data: dict, request=None, today=None) -> Consent:
    """Record a signed consent. Earlier consents of the same kind stay; the newest one in force is current."""
    _lock(client)
    consent = Consent(client=client, recorded_by=actor, **data)
    if consent.signed_by == SignedBy.CLIENT:
        consent.representative_name = ""
    validate_consent(consent, today=today or clinic_today())
    consent.full_clean(exclude=["client", "organization", "recorded_by"])
    consent.save()
    record_change("consent.recorded", consent, actor=actor, request=request, kind=consent.kind)
    return consent


def _check_revocation_date(revoked_on: datetime.date, signed_date: datetime.date, today: datetime.date) -> None:
    if revoked_on > today:
        raise ValidationError({"revoked_on": "The revocation date can't be in the future."})
    if revoked_on < signed_date:
        raise ValidationError(
            {"revoked_on": f"The revocation date can't be before it was signed ({_day(signed_date)})."}
        )


@transaction.atomic
def revoke_consent(
    consent: Consent,
    *,
    actor: Membership,
    expected_version: int,
    revoked_on: datetime.date,
    reason: str,
    request=None,
    today=None,
) -> Consent:
    """Revoke a consent from ``revoked_on``; it stays in the history, marked revoked, with the reason."""
    _lock(consent.client)
    current = lock_version(consent, expected_version=expected_version, noun="consent")
    if current.revoked_on is not None:
        raise ValidationError(f"This consent was already revoked on {_day(current.revoked_on)}.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the revocation."})
    _check_revocation_date(revoked_on, current.signed_date, today or clinic_today())
    save_version(current, {"revoked_on": revoked_on, "revocation_reason": reason, "revoked_by": actor})
    record_change("consent.revoked", current, actor=actor, request=request, kind=current.kind)
    return current


def in_force(client: Client, today: datetime.date) -> QuerySet[Consent]:
    """The client's consents in force ``today`` (``Consent.status_on`` as a query), for ``current_consents``: the
    tab pages the full list, so what is in force cannot be picked from the rows it shows."""
    return client.consents.filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=today),
        Q(expires_on__isnull=True) | Q(expires_on__gte=today),
        signed_date__lte=today,
    )


def current_consents(consents: list[Consent], today: datetime.date) -> list[Consent]:
    """For each kind, the most recently signed consent in force today (kinds with none are left out)."""
    newest: dict[str, Consent] = {}
    for consent in consents:
        if consent.status_on(today) != ConsentStatus.ACTIVE:
            continue
        seen = newest.get(consent.kind)
        if seen is None or (consent.signed_date, consent.pk) > (seen.signed_date, seen.pk):
            newest[consent.kind] = consent
    return sorted(newest.values(), key=lambda c: c.kind)


# --- Authorisations ------------------------------------------------------------------------------------------


def part2_gaps(authorization: Authorization) -> list[str]:
    """What an authorisation lacks to allow releasing SUD records under 42 CFR 2.31 (empty when nothing)."""
    gaps = []
    if not authorization.covers_sud:
        gaps.append("it does not list substance use disorder records")
    if not authorization.sud_description.strip():
        gaps.append("it does not say how much and what kind of substance use disorder information may go")
    if not authorization.recipient_name.strip():
        gaps.append("it does not name the recipient")
    if not authorization.purpose.strip():
        gaps.append("it does not state the purpose")
    return gaps


def validate_authorization(authorization: Authorization, *, part2: bool, today: datetime.date) -> None:
    a, errors = authorization, {}
    if not a.recipient_name.strip():
        errors["recipient_name"] = "Name the person or organisation that will receive the information."
    if not any(value.strip() for value in (a.recipient_address, a.recipient_phone, a.recipient_fax, a.recipient_email)):
        errors["recipient_address"] = "Give the recipient's address, phone, fax or email."
    if not a.purpose.strip():
        errors["purpose"] = (
            'State the purpose of the release ("at the request of the client" is enough when the client asked).'
        )
    unknown = set(a.categories) - set(ReleaseCategory.values)
    if unknown:
        errors["categories"] = "Choose only from the listed kinds of information."
    elif not a.categories and not a.information_other.strip():
        errors["categories"] = "Choose what may be released, or describe it under other information."
    elif part2 and not a.covers_sud:
        errors["categories"] = (
            "This client's record is protected by 42 CFR Part 2: the authorisation must explicitly list substance "
            "use disorder treatment records."
        )
    elif a.sud_description.strip() and not a.covers_sud:
        errors["categories"] = (
            "You described substance use disorder information: tick substance use disorder records as well."
        )
    if (part2 or a.covers_sud) and not a.sud_description.strip():
        errors["sud_description"] = (
            "Describe how much and what kind of substance use disorder information may be released (42 CFR 2.31)."
        )
    if a.signed_date and a.signed_date > today:
        errors["signed_date"] = "The signed date can't be in the future."
    if a.signed_date and a.effective_date and a.effective_date < a.signed_date:
        errors["effective_date"] = "The effective date can't be before the date it was signed."
    if a.expiry_date is None and not a.expiry_event.strip():
        errors["expiry_date"] = (
            "Give an expiry date or an expiry event: an authorisation without one can't be accepted (HIPAA 164.508)."
        )
    elif a.expiry_date and a.effective_date and a.expiry_date <= a.effective_date:
        errors["expiry_date"] = "The expiry date must be after the effective date."
    if a.signed_by == SignedBy.REPRESENTATIVE:
        if not a.representative_name.strip():
            errors["representative_name"] = "Give the name of the guardian or representative who signed."
        if not a.representative_authority.strip():
            errors["representative_authority"] = (
                "Say what gives them authority to sign for the client (parent of a minor, guardian, power of attorney)."
            )
    _raise(errors)


@transaction.atomic
def add_authorization(client: Client, *, actor: Membership, data: dict, request=None, today=None) -> Authorization:
    """Record a signed authorisation to release the client's information to one recipient."""
    _lock(client)
    authorization = Authorization(client=client, recorded_by=actor, **data)
    authorization.categories = _ordered(data.get("categories", []))
    if authorization.signed_by == SignedBy.CLIENT:
        authorization.representative_name = authorization.representative_authority = ""
    validate_authorization(authorization, part2=is_part2(client), today=today or clinic_today())
    authorization.full_clean(exclude=["client", "organization", "recorded_by"])
    authorization.save()
    record_change(
        "authorization.added",
        authorization,
        actor=actor,
        request=request,
        categories=authorization.categories,
        recipient_kind=authorization.recipient_kind,
    )
    return authorization


def _locked_authorization(authorization: Authorization, expected_version: int) -> Authorization:
    _lock(authorization.client)
    current = lock_version(authorization, expected_version=expected_version, noun="authorisation")
    if current.revoked_on is not None:
        raise ValidationError(f"This authorisation was already revoked on {_day(current.revoked_on)}.")
    return current


@transaction.atomic
def revoke_authorization(
    authorization: Authorization,
    *,
    actor: Membership,
    expected_version: int,
    revoked_on: datetime.date,
    method: str,
    note: str = "",
    request=None,
    today=None,
) -> Authorization:
    """Revoke from ``revoked_on`` (the day the revocation was received): no release on or after it may rely on
    the authorisation. Releases made earlier in reliance on it stay valid and listed."""
    current = _locked_authorization(authorization, expected_version)
    if not method:
        raise ValidationError({"method": "Say how the revocation was received."})
    _check_revocation_date(revoked_on, current.signed_date, today or clinic_today())
    changes = {"revoked_on": revoked_on, "revocation_method": method, "revocation_note": note.strip()}
    for name, value in changes.items():
        setattr(current, name, value)
    current.full_clean(exclude=["client", "organization", "recorded_by", "revoked_by"])
    save_version(current, {**changes, "revoked_by": actor})
    record_change("authorization.revoked", current, actor=actor, request=request, method=method)
    return current


@transaction.atomic
def record_expiry_event(
    authorization: Authorization,
    *,
    actor: Membership,
    expected_version: int,
    occurred_on: datetime.date,
    request=None,
    today=None,
) -> Authorization:
    """Note that the event the authorisation expires on has happened (discharge, end of a court case…)."""
    current = _locked_authorization(authorization, expected_version)
    if not current.expiry_event:
        raise ValidationError("This authorisation has no expiry event; it ends on its expiry date.")
    if current.expiry_event_occurred_on is not None:
        raise ValidationError(f"The expiry event was already recorded on {_day(current.expiry_event_occurred_on)}.")
    if occurred_on > (today or clinic_today()):
        raise ValidationError({"occurred_on": "The date can't be in the future."})
    if occurred_on < current.signed_date:
        raise ValidationError({"occurred_on": f"The date can't be before it was signed ({_day(current.signed_date)})."})
    save_version(current, {"expiry_event_occurred_on": occurred_on})
    record_change("authorization.expiry_event", current, actor=actor, request=request)
    return current


def payer_authorizations(authorizations: list[Authorization]) -> list[Authorization]:
    return [a for a in authorizations if a.recipient_kind == "payer"]


# --- 42 CFR Part 2 -------------------------------------------------------------------------------------------


@transaction.atomic
def set_part2(client: Client, *, actor: Membership, part2: bool, request=None) -> ClientPrivacy:
    """Mark the client's record as holding (or not) SUD treatment records under 42 CFR Part 2."""
    _lock(client)
    privacy, _ = ClientPrivacy.objects.get_or_create(client=client)
    if privacy.part2 != part2:
        privacy.part2, privacy.changed_at, privacy.changed_by = part2, timezone.now(), actor
        privacy.save(update_fields=["part2", "changed_at", "changed_by"])
        record_change("client.part2_changed", client, actor=actor, request=request, part2=part2)
    return privacy


# --- Disclosures ---------------------------------------------------------------------------------------------


def _check_authorization_backs(authorization: Authorization, disclosure: Disclosure) -> None:
    """The authorisation was in force on the day of release, allows SUD records if they went, and covers what
    was released. Any refusal of a release involving SUD records is a ``Part2Refusal``."""
    refuse = Part2Refusal if disclosure.involves_sud else ValidationError
    day = disclosure.disclosed_on
    status = authorization.status_on(day)
    if status == ConsentStatus.REVOKED:
        revoked_on = cast(datetime.date, authorization.revoked_on)  # set, or the status would not say revoked
        raise refuse(
            {
                "authorization": f"This authorisation was revoked on {_day(revoked_on)}: it can't back "
                "a release on or after that date."
            }
        )
    if status == ConsentStatus.EXPIRED:
        ended = cast(datetime.date, authorization.ended_on) - datetime.timedelta(days=1)  # expired: it has ended
        raise refuse({"authorization": f"This authorisation had ended by {_day(day)} (last usable day {_day(ended)})."})
    if status == ConsentStatus.PENDING:
        raise refuse(
            {"authorization": f"This authorisation only takes effect on {_day(authorization.effective_date)}."}
        )
    gaps = part2_gaps(authorization) if disclosure.involves_sud else []
    if gaps:
        raise Part2Refusal(
            {
                "authorization": "This release includes substance use disorder records protected by 42 CFR Part 2, "
                "and this authorisation can't allow it: " + "; ".join(gaps) + "."
            }
        )
    uncovered = [c for c in disclosure.categories if c not in authorization.categories]
    if uncovered:
        raise refuse({"categories": "The authorisation doesn't cover: " + ", ".join(category_labels(uncovered)) + "."})


@transaction.atomic
def record_disclosure(client: Client, *, actor: Membership, data: dict, request=None, today=None) -> Disclosure:
    """Log a release of the client's information that was made. Refused unless it relied on an authorisation
    in force that day and covering what went, or on a legal basis that needs none; SUD information needs the
    authorisation (``Part2Refusal``)."""
    _lock(client)
    today = today or clinic_today()
    authorization = data.get("authorization")
    disclosure = Disclosure(client=client, recorded_by=actor, **{k: v for k, v in data.items() if k != "authorization"})
    disclosure.categories = _ordered(data.get("categories", []))
    disclosure.involves_sud = is_part2(client) or ReleaseCategory.SUD in disclosure.categories
    errors = {}
    if disclosure.disclosed_on and disclosure.disclosed_on > today:
        errors["disclosed_on"] = "The release date can't be in the future."
    if set(disclosure.categories) - set(ReleaseCategory.values):
        errors["categories"] = "Choose only from the listed kinds of information."
    elif not disclosure.categories and not disclosure.information_description.strip():
        errors["categories"] = "Say what was released: choose from the list or describe it."
    _raise(errors)

    if disclosure.legal_basis == LegalBasis.AUTHORIZATION:
        if authorization is None:
            raise ValidationError({"authorization": "Choose the authorisation this release relied on."})
        if any(str(data.get(name) or "").strip() for name in RECIPIENT_FIELDS):
            raise ValidationError(
                {
                    "recipient_name": "Leave the recipient empty: a release under an authorisation goes to the "
                    "recipient it names, and Hearth copies them from it."
                }
            )
        authorization = Authorization.objects.select_for_update().filter(pk=authorization.pk, client=client).first()
        if authorization is None:
            raise ValidationError({"authorization": "Choose one of this client's authorisations."})
        _check_authorization_backs(authorization, disclosure)
        disclosure.authorization = authorization
        disclosure.recipient_name = authorization.recipient_name
        disclosure.recipient_organization = authorization.recipient_organization
        disclosure.recipient_address = authorization.recipient_contact
        if not disclosure.purpose.strip():
            disclosure.purpose = authorization.purpose
    else:
        if disclosure.legal_basis != LegalBasis.MEDICAL_EMERGENCY:
            disclosure.emergency_nature = ""
        if authorization is not None:
            raise ValidationError(
                {
                    "authorization": 'Choose "The client\'s authorisation" as the basis, or leave the authorisation '
                    "empty."
                }
            )
        if disclosure.legal_basis == LegalBasis.MEDICAL_EMERGENCY:
            _check_medical_emergency(disclosure, today)
            if not disclosure.purpose.strip():
                disclosure.purpose = EMERGENCY_PURPOSE
        elif disclosure.involves_sud:
            raise Part2Refusal(
                "This release includes substance use disorder records protected by 42 CFR Part 2. Hearth records it "
                "only under a valid written authorisation that lists them, or as a disclosure to medical personnel "
                'in a medical emergency ("Medical emergency (42 CFR 2.51)"). A court order or subpoena alone is not '
                "enough: choose the authorisation, or record a new one first."
            )
        if not disclosure.recipient_name.strip():
            raise ValidationError({"recipient_name": "Name the person or organisation that received the information."})
    if not disclosure.purpose.strip():
        raise ValidationError({"purpose": "State the purpose of the release."})
    disclosure.full_clean(exclude=["client", "organization", "recorded_by", "released_by", "authorization"])
    disclosure.save()
    record_change(
        "disclosure.recorded",
        disclosure,
        actor=actor,
        request=request,
        legal_basis=disclosure.legal_basis,
        authorization_id=disclosure.authorization_id,
        categories=disclosure.categories,
        part2=disclosure.involves_sud,
    )
    return disclosure


def _check_medical_emergency(disclosure: Disclosure, today: datetime.date) -> None:
    """What 42 CFR 2.51(c) makes the program write down at once, each missing item with its own message."""
    errors = {}
    if not disclosure.recipient_name.strip():
        errors["recipient_name"] = "Name the medical personnel who received the information (42 CFR 2.51)."
    if not disclosure.recipient_organization.strip():
        errors["recipient_organization"] = "Give the medical personnel's facility (42 CFR 2.51)."
    if disclosure.disclosed_time is None:
        errors["disclosed_time"] = "Give the time of the release (42 CFR 2.51)."
    elif disclosure.disclosed_on == today and disclosure.disclosed_time > clinic_now().time():
        errors["disclosed_time"] = "The time of the release can't be in the future."
    if not disclosure.emergency_nature.strip():
        errors["emergency_nature"] = "Describe the nature of the medical emergency (42 CFR 2.51)."
    _raise(errors)


@transaction.atomic
def mark_disclosure_in_error(
    disclosure: Disclosure, *, actor: Membership, expected_version: int, reason: str, request=None
) -> Disclosure:
    """Mark a mistaken disclosure entry as entered in error. It is kept (and shown struck through on the chart)
    but no longer counts as a release: the accounting of disclosures leaves it out."""
    _lock(disclosure.client)
    current = lock_version(disclosure, expected_version=expected_version, noun="release entry")
    if current.entered_in_error_at is not None:
        marked = _day(timezone.localtime(current.entered_in_error_at, clinic_zone()).date())
        raise ValidationError(f"This release entry was already marked entered in error on {marked}.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason the entry is wrong."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX} characters."})
    changes = {"entered_in_error_at": timezone.now(), "entered_in_error_by": actor, "entered_in_error_reason": reason}
    save_version(current, changes)
    record_change(
        "disclosure.entered_in_error",
        current,
        actor=actor,
        request=request,
        legal_basis=current.legal_basis,
        authorization_id=current.authorization_id,
    )
    return current


# --- Accounting of disclosures -------------------------------------------------------------------------------


def default_accounting_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The six years HIPAA 164.528 lets a client ask about, ending today."""
    try:
        start = today.replace(year=today.year - ACCOUNTING_YEARS)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - ACCOUNTING_YEARS, day=28)
    return start, today


def _period(client: Client, start: datetime.date, end: datetime.date, include_authorized: bool):
    disclosures = client.disclosures.filter(disclosed_on__gte=start, disclosed_on__lte=end)
    if not include_authorized:
        disclosures = disclosures.exclude(legal_basis=LegalBasis.AUTHORIZATION)
    return disclosures.select_related("authorization", "released_by__user").order_by("disclosed_on", "pk")


def accounting_of_disclosures(client: Client, *, start: datetime.date, end: datetime.date, include_authorized=True):
    """The client's disclosures released between ``start`` and ``end`` (inclusive), oldest first, without the
    entries marked entered in error.

    HIPAA does not require releases the client authorised to be accounted for; ``include_authorized=False``
    leaves them out. The caller audits the read.
    """
    return _period(client, start, end, include_authorized).filter(entered_in_error_at__isnull=True)


def accounting_report(
    client: Client, *, start: datetime.date, end: datetime.date, include_authorized: bool = True
) -> tuple[list[Disclosure], int]:
    """The accounting's rows and how many entries of the period it leaves out as entered in error (one query)."""
    rows = list(_period(client, start, end, include_authorized))
    kept = [d for d in rows if d.entered_in_error_at is None]
    return kept, len(rows) - len(kept)
