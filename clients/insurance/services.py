"""Writes to payers, clients' insurance policies and the self-pay flag: one transaction each, audited.

Policy changes are audited with the client's id; ``detail`` names fields, never values (member ids are PHI).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.people.models import Membership
from audit.services import record
from clients.events import record_change
from clients.insurance.models import InsurancePolicy, Payer
from clients.records.models import Client
from core.versioning import lock_version, save_version

PAYER_FIELDS = ["name", "payer_id", "address_line1", "address_line2", "city", "state", "postal_code"]
POLICY_FIELDS = [
    "payer",
    "order",
    "member_id",
    "group_number",
    "relationship",
    "subscriber_first_name",
    "subscriber_last_name",
    "subscriber_date_of_birth",
    "effective_date",
    "end_date",
    "copay",
]
SUBSCRIBER_FIELDS = ("subscriber_first_name", "subscriber_last_name", "subscriber_date_of_birth")


def _check_payer_id_free(payer_id: str, exclude_pk=None) -> None:
    taken = Payer.objects.filter(payer_id__iexact=payer_id).exclude(pk=exclude_pk).exists()
    if taken:
        raise ValidationError({"payer_id": "Another payer in this clinic already has this payer ID."})


@transaction.atomic
def create_payer(*, actor: Membership, data: dict, request=None) -> Payer:
    _check_payer_id_free(data["payer_id"])
    payer = Payer.objects.create(**data)
    record("payer.created", request=request, actor=actor.user, target=payer)
    return payer


@transaction.atomic
def update_payer(payer: Payer, *, actor: Membership, expected_version: int, changes: dict, request=None) -> Payer:
    current = lock_version(payer, expected_version=expected_version, noun="payer", verb="saved")
    if "payer_id" in changes:
        _check_payer_id_free(changes["payer_id"], exclude_pk=current.pk)
    save_version(current, changes)
    record("payer.updated", request=request, actor=actor.user, target=current, detail={"fields": sorted(changes)})
    return current


def _check_order_free(client: Client, order: int, exclude_pk=None) -> None:
    """One active policy per order; checked here for a clear message, and again by a unique constraint."""
    clash = client.insurance_policies.filter(is_active=True, order=order).exclude(pk=exclude_pk).exists()
    if clash:
        raise ValidationError(
            {"order": "This client already has an active policy in that position. End it or choose another order."}
        )


def _clear_subscriber_if_self(policy: InsurancePolicy) -> None:
    if policy.relationship == "self":
        policy.subscriber_first_name = policy.subscriber_last_name = ""
        policy.subscriber_date_of_birth = None


@transaction.atomic
def add_policy(client: Client, *, actor: Membership, data: dict, request=None) -> InsurancePolicy:
    """Add a policy (validated like the form: subscriber demographics unless self, end ≥ effective, copay ≥ 0)."""
    Client.objects.select_for_update().filter(pk=client.pk).first()  # serialize order checks per client
    _check_order_free(client, data["order"])
    policy = InsurancePolicy(client=client, **data)
    _clear_subscriber_if_self(policy)
    policy.full_clean(exclude=["client", "organization"])
    policy.save()
    record_change("insurance.added", policy, actor=actor, request=request, order=policy.order, payer_id=policy.payer_id)
    return policy


@transaction.atomic
def update_policy(
    policy: InsurancePolicy, *, actor: Membership, expected_version: int, changes: dict, request=None
) -> InsurancePolicy:
    """Save changed fields if nobody saved the policy since ``expected_version``; otherwise ConflictError."""
    current = lock_version(policy, expected_version=expected_version, noun="policy", verb="saved")
    if "order" in changes and current.is_active:
        _check_order_free(current.client, changes["order"], exclude_pk=current.pk)
    for name, value in changes.items():
        setattr(current, name, value)
    _clear_subscriber_if_self(current)
    current.full_clean(exclude=["client", "organization"])
    fields = sorted({*changes, *(SUBSCRIBER_FIELDS if current.relationship == "self" else ())})
    save_version(current, {name: getattr(current, name) for name in fields})
    record_change("insurance.updated", current, actor=actor, request=request, fields=sorted(changes))
    return current


@transaction.atomic
def end_policy(
    policy: InsurancePolicy, *, actor: Membership, expected_version: int, end_date=None, request=None
) -> InsurancePolicy:
    """End a policy on ``end_date`` (today by default): it stays on the chart, no longer active, freeing its order."""
    current = lock_version(policy, expected_version=expected_version, noun="policy", verb="saved")
    end_date = end_date or timezone.localdate()
    if end_date < current.effective_date:
        raise ValidationError({"end_date": "The end date can't be before the effective date."})
    save_version(current, {"end_date": end_date, "is_active": False})
    record_change("insurance.ended", current, actor=actor, request=request)
    return current


@transaction.atomic
def set_self_pay(client: Client, *, actor: Membership, self_pay: bool, request=None) -> Client:
    """Mark the client self-pay (or not); bumps the client's version like any other change to the record."""
    current = Client.objects.select_for_update().get(pk=client.pk)
    if current.self_pay != self_pay:
        save_version(current, {"self_pay": self_pay})
        record_change("client.self_pay_changed", current, actor=actor, request=request, self_pay=self_pay)
    return current
