"""Instruments (shared by every clinic, loaded as data) and each clinic's choices about them."""

from functools import cached_property

from django.db import models

from measures.instruments import scoring
from tenancy.models import TenantModel


class Instrument(models.Model):
    """A validated questionnaire. Its items, answer scale, bands, critical items and reliability live in
    ``definition`` (checked by ``scoring.parse`` when loaded); standard instruments are the same for every clinic,
    so this table is not per clinic. LOINC codes are kept for the FHIR Observations to come."""

    key = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    definition = models.JSONField()
    loinc_total = models.CharField("LOINC code of the total", max_length=20, blank=True)
    loinc_panel = models.CharField("LOINC code of the panel", max_length=20, blank=True)
    source = models.TextField(blank=True, help_text="Where the scoring rules, bands and reliability come from.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def spec(self) -> scoring.Definition:
        return scoring.parse(self.definition)


class InstrumentSetting(TenantModel):
    """A clinic's cut-off for an instrument read against one (PCL-5: 31 to 33 are in use; the default is 33)."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    cutoff = models.PositiveSmallIntegerField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "instrument"], name="instrument_setting_once_per_clinic")
        ]

    def __str__(self) -> str:
        return f"cut-off for {self.instrument_id}"
