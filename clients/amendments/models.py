import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.documents.models import SECTION_CHOICES, ClientDocument
from core.versioning import VersionedModel
from tenancy.models import TenantModel


class AmendmentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DENIED = "denied", "Denied"


class DenialGround(models.TextChoices):
    """The only grounds on which 45 CFR 164.526(a)(2) lets a provider deny an amendment."""

    NOT_CREATED_BY_PROVIDER = "not_created", "Not created by this clinic (and its author can still amend it)"
    NOT_IN_RECORD_SET = "not_in_record_set", "Not part of the designated record set"
    NOT_AVAILABLE_FOR_INSPECTION = "not_inspectable", "Not available to the client for inspection"
    ACCURATE_AND_COMPLETE = "accurate_and_complete", "Accurate and complete as it is"


class NotificationAgreement(models.TextChoices):
    """Whether the client agreed that the clinic tell others of an accepted amendment (164.526(c)(2))."""

    AGREED = "agreed", "Agreed: notify the people listed"
    DECLINED = "declined", "Declined: notify no one"


class NotificationMethod(models.TextChoices):
    MAIL = "mail", "Mail"
    FAX = "fax", "Fax"
    PHONE = "phone", "Phone"
    SECURE_EMAIL = "secure_email", "Secure email"


class RecipientKind(models.TextChoices):
    """The two kinds of recipient 164.526(c)(3) names."""

    CLIENT_IDENTIFIED = "client_identified", "Named by the client as having received the record"
    BUSINESS_ASSOCIATE = "business_associate", "Business associate or other holder who may rely on it"


class NotificationStatus(models.TextChoices):
    TO_NOTIFY = "to_notify", "To notify"
    NOTIFIED = "notified", "Notified"
    UNREACHABLE = "unreachable", "Could not be reached"


class AmendmentRequest(TenantModel, VersionedModel):
    """A client's request to amend part of their record, and the clinic's decision.

    The clinic must act within 60 days of receipt, or within one 30-day extension given in writing, with reasons,
    before the 60 days run out. Accepting appends ``correction``; nothing in the original record is changed.
    """

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="amendment_requests")
    section = models.CharField("Part of the chart", max_length=20, choices=SECTION_CHOICES)
    record_description = models.CharField(
        "Which record", max_length=300, help_text="For example “progress note of 2026-03-02” or “home address”."
    )
    document = models.ForeignKey(
        ClientDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendment_requests",
        help_text="The chart document it concerns, if any.",
    )
    requested_change = models.TextField(help_text="The change as the client stated it.")
    client_reason = models.TextField("Client's reason", blank=True)
    received_on = models.DateField()
    due_on = models.DateField()
    extension_reason = models.TextField(blank=True)
    extended_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extended_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=AmendmentStatus.choices, default=AmendmentStatus.PENDING)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    correction = models.TextField(blank=True, help_text="Appended to the record when the request is accepted.")
    denial_ground = models.CharField(max_length=30, choices=DenialGround.choices, blank=True)
    denial_explanation = models.TextField(blank=True)
    disagreement = models.TextField("Client's statement of disagreement", blank=True)
    disagreement_received_on = models.DateField(null=True, blank=True)
    disagreement_recorded_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    client_informed_on = models.DateField(
        "Client told of the acceptance on", null=True, blank=True, help_text="Only for an accepted request."
    )
    notification_agreement = models.CharField(
        "Client's agreement to notify others", max_length=10, choices=NotificationAgreement.choices, blank=True
    )
    recorded_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["client", "status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("received_on")), name="amendment_due_after_receipt"
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | (~Q(correction="") & Q(decided_on__isnull=False)),
                name="amendment_accepted_has_correction",
            ),
            models.CheckConstraint(
                condition=~Q(status="denied")
                | (~Q(denial_ground="") & ~Q(denial_explanation="") & Q(decided_on__isnull=False)),
                name="amendment_denied_has_ground",
            ),
            models.CheckConstraint(
                condition=Q(disagreement="") | Q(status="denied"), name="amendment_disagreement_after_denial"
            ),
            models.CheckConstraint(
                condition=Q(status="accepted") | (Q(client_informed_on__isnull=True) & Q(notification_agreement="")),
                name="amendment_notice_after_acceptance",
            ),
        ]

    def __str__(self) -> str:
        return f"amendment request {self.pk} of {self.client_id}"

    @property
    def is_pending(self) -> bool:
        return self.status == AmendmentStatus.PENDING

    @property
    def was_extended(self) -> bool:
        return bool(self.extension_reason)

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_pending and today > self.due_on


class AmendmentNotification(TenantModel, VersionedModel):
    """Someone to be told of an accepted amendment (45 CFR 164.526(c)(3)), and whether they were.

    Only a name, an organisation and how they are reached: the amendment itself is sent outside Hearth, and no
    other free text about the client is kept here. A row is never deleted; it ends notified (on a date, by whom)
    or could not be reached (with a note on the attempts).
    """

    amendment = models.ForeignKey(AmendmentRequest, on_delete=models.PROTECT, related_name="notifications")
    recipient_name = models.CharField("Name", max_length=200)
    recipient_organization = models.CharField("Organisation", max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=RecipientKind.choices)
    method = models.CharField("How they will be told", max_length=20, choices=NotificationMethod.choices)
    disclosure = models.ForeignKey(
        "clients.Disclosure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The logged disclosure this recipient was suggested from, if any.",
    )
    status = models.CharField(max_length=12, choices=NotificationStatus.choices, default=NotificationStatus.TO_NOTIFY)
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True, help_text="Why they could not be reached.")
    added_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["amendment", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="to_notify", done_on__isnull=True)
                | (Q(status="notified") & Q(done_on__isnull=False))
                | (Q(status="unreachable") & Q(done_on__isnull=False) & ~Q(note="")),
                name="amendment_notification_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"amendment notification {self.pk} of request {self.amendment_id}"

    @property
    def is_outstanding(self) -> bool:
        return self.status == NotificationStatus.TO_NOTIFY
