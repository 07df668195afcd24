from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from clients.records.models import Client, member_id_validator, payer_id_validator
from core.versioning import VersionedModel
from tenancy.models import TenantModel


class Payer(TenantModel, VersionedModel):
    """An insurance company or plan the clinic bills: one clinic-wide list, chosen on each client's policies."""

    name = models.CharField(max_length=200)
    payer_id = models.CharField("Payer ID", max_length=20, validators=[payer_id_validator])
    address_line1 = models.CharField("Address", max_length=200, blank=True)
    address_line2 = models.CharField("Address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "payer_id"], name="payer_id_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.payer_id})"


class PolicyOrder(models.IntegerChoices):
    PRIMARY = 1, "Primary"
    SECONDARY = 2, "Secondary"
    TERTIARY = 3, "Tertiary"


class SubscriberRelationship(models.TextChoices):
    SELF = "self", "Self"
    SPOUSE = "spouse", "Spouse"
    PARENT = "parent", "Parent"
    OTHER = "other", "Other"


class InsurancePolicy(TenantModel, VersionedModel):
    """One of a client's insurance policies. Ended, never deleted; one active policy per order (primary, …)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="insurance_policies")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="policies")
    order = models.PositiveSmallIntegerField(choices=PolicyOrder.choices, default=PolicyOrder.PRIMARY)
    member_id = models.CharField("Member ID", max_length=40, validators=[member_id_validator])
    group_number = models.CharField(max_length=40, blank=True)
    relationship = models.CharField(
        "Client's relationship to the subscriber",
        max_length=10,
        choices=SubscriberRelationship.choices,
        default=SubscriberRelationship.SELF,
    )
    subscriber_first_name = models.CharField(max_length=100, blank=True)
    subscriber_last_name = models.CharField(max_length=100, blank=True)
    subscriber_date_of_birth = models.DateField(null=True, blank=True)
    effective_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    copay = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    is_active = models.BooleanField(default=True, help_text="False once the policy has been ended.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "order"], condition=Q(is_active=True), name="one_active_policy_per_order"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("effective_date")), name="policy_end_after_start"
            ),
            models.CheckConstraint(condition=Q(copay__isnull=True) | Q(copay__gte=0), name="policy_copay_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_order_display()} policy of {self.client_id}"

    def clean(self) -> None:
        errors = {}
        if self.relationship != SubscriberRelationship.SELF:
            for field in ("subscriber_first_name", "subscriber_last_name", "subscriber_date_of_birth"):
                if not getattr(self, field):
                    errors[field] = "Required when the client is not the subscriber."
        if self.effective_date and self.end_date and self.end_date < self.effective_date:
            errors["end_date"] = "The end date can't be before the effective date."
        if self.subscriber_date_of_birth and self.subscriber_date_of_birth > timezone.localdate():
            errors["subscriber_date_of_birth"] = "The subscriber's date of birth can't be in the future."
        if errors:
            raise ValidationError(errors)
