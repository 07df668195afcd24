from django.db import models

from core.versioning import VersionedModel
from tenancy.models import TenantModel


class Program(TenantModel, VersionedModel):
    """A clinic's service line ("Adult outpatient", "Substance use"…): one clinic-wide list kept by administrators.

    Deactivated programs keep their clients' history but are no longer offered for new assignments.
    """

    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="program_name_unique")]

    def __str__(self) -> str:
        return self.name
