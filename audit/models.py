"""The audit log's tables: events appended by requests, and the sealer's links and blocks.

All three are insert-only. ``AuditEvent`` is written by ``audit.services.record`` (one INSERT, no lock);
``AuditLink`` and ``AuditBlock`` are written only by the sealer (``audit.sealer``), which runs as the database owner:
on PostgreSQL the request role may read them (its own clinic's rows) but not write them.
"""

from django.conf import settings
from django.db import models


class AppendOnlyError(RuntimeError):
    """The audit log is never updated or deleted by the application."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural.capitalize()} cannot be updated.")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural.capitalize()} cannot be deleted.")


class AppendOnlyModel(models.Model):
    """Rows are inserted once and never changed: the ORM refuses, and on PostgreSQL the request role lacks
    UPDATE and DELETE (``tenancy.rls.install``)."""

    tenant_isolated = True
    append_only = True

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.verbose_name_plural.capitalize()} cannot be updated.")
        kwargs["force_insert"] = True  # never an UPDATE, even of a row whose key was set by hand
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.verbose_name_plural.capitalize()} cannot be deleted.")


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    FAILURE = "failure", "Failure"


class AuditEvent(AppendOnlyModel):
    """One audited action, as recorded. Its place in its clinic's chain is its ``link``, added by the sealer.

    Events with no clinic (a forged host header, say) belong to the ``system`` chain. On PostgreSQL the request
    role may only SELECT and INSERT this table, and row-level security confines it to its own clinic's rows.
    """

    organization = models.ForeignKey(
        "tenancy.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chain_key = models.CharField(max_length=32)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    client_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="Set when PHI was touched.")
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-occurred_at"]),
            models.Index(fields=["organization", "action"]),
            models.Index(fields=["organization", "client_id"]),
            models.Index(fields=["organization", "actor"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_label or 'system'} at {self.occurred_at:%Y-%m-%d %H:%M}"


class AuditLink(AppendOnlyModel):
    """An event's place in its chain: ``hash`` covers the event's fields, its ``sequence`` and ``prev_hash`` (see
    ``audit.chain.compute_hash``). Written once per event by the sealer, in the order it picked the events up."""

    owner_writes_only = True

    event = models.OneToOneField(AuditEvent, primary_key=True, on_delete=models.PROTECT, related_name="link")
    organization = models.ForeignKey(
        "tenancy.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chain_key = models.CharField(max_length=32)
    sequence = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chain_key", "sequence"], name="audit_link_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.chain_key} #{self.sequence}"


class AuditBlock(AppendOnlyModel):
    """A sealed run of links ``first_sequence..last_sequence`` of one chain.

    ``root`` hashes the block's place, its last link's hash (which covers every earlier link) and the previous
    block's root; ``mac`` is HMAC-SHA256 of the root under the key named ``key_id``, a key that is not in the
    database, so whoever can only write the database cannot make a rewritten chain verify.
    """

    owner_writes_only = True

    organization = models.ForeignKey(
        "tenancy.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chain_key = models.CharField(max_length=32)
    number = models.PositiveBigIntegerField()
    first_sequence = models.PositiveBigIntegerField()
    last_sequence = models.PositiveBigIntegerField()
    root = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16)
    mac = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chain_key", "number"], name="audit_block_number_unique")]

    def __str__(self) -> str:
        return f"{self.chain_key} block {self.number} ({self.first_sequence}–{self.last_sequence})"
