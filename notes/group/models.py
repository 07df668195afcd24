from django.db import models
from django.utils import timezone

from core.versioning import VersionedModel
from tenancy.models import TenantModel


class GroupSession(TenantModel, VersionedModel):
    """One group meeting: the part written once for everyone. Each member's own note (``Note.group_session``)
    holds their attendance and individual section and is filed in their chart; the shared text never names
    members, and no member's note shows another member."""

    appointment = models.ForeignKey(
        "scheduling.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="group_sessions"
    )
    author = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=120, help_text="The group's name, e.g. Coping skills group.")
    service_date = models.DateField()
    shared_text = models.TextField("What the group did (shared by every member's note)", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"group session {self.pk}"
