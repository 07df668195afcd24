from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.records.models import Client
from tenancy.models import TenantModel


class CareTeamMember(TenantModel):
    """Staff other than the primary clinician who work with the client and so may see the chart.

    Removal keeps the row (``removed_at``): who was on the team, and when, stays answerable. Only rows with no
    ``removed_at`` put the client on someone's caseload.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_team")
    membership = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="care_teams")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "membership"], condition=Q(removed_at__isnull=True), name="active_care_team_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} on {self.client_id}"
