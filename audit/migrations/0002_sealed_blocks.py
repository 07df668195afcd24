"""Links and sealed blocks move out of the event rows; appending no longer locks a chain head.

Events chained before keep their links (copied into ``AuditLink`` as they were, so their hashes still verify) and
each chain is sealed into its first block with the configured key, once its head confirms that no tail was cut off.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def seal_existing_chains(apps, schema_editor):
    from audit.chain import GENESIS, block_root
    from audit.keys import sign

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditLink = apps.get_model("audit", "AuditLink")
    AuditBlock = apps.get_model("audit", "AuditBlock")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    columns = "organization_id, chain_key, sequence, prev_hash, hash"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AuditLink._meta.db_table} (event_id, {columns}) "
            f"SELECT id, {columns} FROM {AuditEvent._meta.db_table}"
        )
    for head in AuditChainHead.objects.filter(sequence__gt=0).order_by("chain_key"):
        last = AuditLink.objects.filter(chain_key=head.chain_key).order_by("-sequence").first()
        if last is None or (last.sequence, last.hash) != (head.sequence, head.last_hash):
            raise RuntimeError(
                f"Audit chain {head.chain_key} does not end where its head says (link {head.sequence}): events were "
                "removed. Keep a copy of this database as evidence and run audit_verify on the previous release."
            )
        root = block_root(head.chain_key, 1, 1, head.sequence, head.last_hash, GENESIS)
        key_id, mac = sign(root)
        AuditBlock.objects.create(
            organization_id=head.organization_id,
            chain_key=head.chain_key,
            number=1,
            first_sequence=1,
            last_sequence=head.sequence,
            root=root,
            key_id=key_id,
            mac=mac,
            sealed_at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("tenancy", "0006_admin_clinical_access"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditLink",
            fields=[
                (
                    "event",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="link",
                        serialize=False,
                        to="audit.auditevent",
                    ),
                ),
                ("chain_key", models.CharField(max_length=32)),
                ("sequence", models.PositiveBigIntegerField()),
                ("prev_hash", models.CharField(max_length=64)),
                ("hash", models.CharField(max_length=64)),
                (
                    "organization",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.organization",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("chain_key", "sequence"), name="audit_link_sequence_unique")
                ],
            },
        ),
        migrations.CreateModel(
            name="AuditBlock",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("chain_key", models.CharField(max_length=32)),
                ("number", models.PositiveBigIntegerField()),
                ("first_sequence", models.PositiveBigIntegerField()),
                ("last_sequence", models.PositiveBigIntegerField()),
                ("root", models.CharField(max_length=64)),
                ("key_id", models.CharField(max_length=16)),
                ("mac", models.CharField(max_length=64)),
                ("sealed_at", models.DateTimeField()),
                (
                    "organization",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.organization",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("chain_key", "number"), name="audit_block_number_unique")
                ],
            },
        ),
        # Unapplying works on an empty log only: the old columns would come back NOT NULL with nothing to fill them.
        migrations.RunPython(seal_existing_chains, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="auditevent", name="audit_chain_sequence_unique"),
        migrations.RemoveField(model_name="auditevent", name="hash"),
        migrations.RemoveField(model_name="auditevent", name="prev_hash"),
        migrations.RemoveField(model_name="auditevent", name="sequence"),
        migrations.DeleteModel(name="AuditChainHead"),
    ]
