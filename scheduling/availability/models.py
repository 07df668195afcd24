from django.db import models
from django.db.models import F, Q

from tenancy.models import TenantModel


class WorkingHours(TenantModel):
    """A clinician's regular hours on one weekday at one location, in the clinic's time zone."""

    clinician = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ]
    )
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="working_hours")
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["clinician", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="working_hours_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class BlockedTime(TenantModel):
    """Time a clinician can't be booked (leave, training, supervision). The reason must not identify clients."""

    clinician = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE, related_name="blocked_times")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["clinician", "start"])]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="blocked_time_end_after_start")]

    def __str__(self) -> str:
        return f"blocked {self.start:%Y-%m-%d %H:%M}"
