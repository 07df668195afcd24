"""The append-only, hash-chained audit log."""

from django.conf import settings
from django.db import models


class AppendOnlyError(RuntimeError):
    """The audit log is never updated or deleted by the application."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted.")


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    FAILURE = "failure", "Failure"


class AuditEvent(models.Model):
    """One audited action. Each clinic's events form a chain: ``hash`` covers the row and the previous hash.

    Events with no clinic (a forged host header, say) form the ``system`` chain. On PostgreSQL the request role
    may only SELECT and INSERT this table, and row-level security confines it to its own clinic's rows.
    """

    tenant_isolated = True
    append_only = True

    organization = models.ForeignKey(
        "tenancy.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chain_key = models.CharField(max_length=32)
    sequence = models.PositiveBigIntegerField()
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
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["chain_key", "sequence"], name="audit_chain_sequence_unique")]
        indexes = [
            models.Index(fields=["organization", "-occurred_at"]),
            models.Index(fields=["organization", "action"]),
            models.Index(fields=["organization", "client_id"]),
            models.Index(fields=["organization", "actor"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_label or 'system'} at {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit events cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditChainHead(models.Model):
    """The latest link of one chain; locked while appending so concurrent writers cannot fork the chain."""

    tenant_isolated = True

    organization = models.ForeignKey(
        "tenancy.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chain_key = models.CharField(max_length=32, unique=True)
    sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.chain_key} @ {self.sequence}"
