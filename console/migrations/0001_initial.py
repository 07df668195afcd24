"""The vendor console's models move here from the tickets app, which created their tables (tickets 0002, 0003).

Only Django's state changes: the tables keep their names (``db_table``) and their rows. Together with
``tickets/migrations/0004_vendor_staff_to_console.py``, which drops the models from the tickets app's state.
The models' content types (and so their permissions) are handed over too, where an earlier migrate made them.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

MODELS = ("vendorstaff", "vendortotpkey", "vendorrecoverycode")


def _move_content_types(apps, schema_editor, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MODELS:
        if not types.filter(app_label=target, model=model).exists():
            types.filter(app_label=source, model=model).update(app_label=target)


def to_console(apps, schema_editor) -> None:
    _move_content_types(apps, schema_editor, "tickets", "console")


def to_tickets(apps, schema_editor) -> None:
    _move_content_types(apps, schema_editor, "console", "tickets")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("tickets", "0003_vendor_mfa"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="VendorStaff",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("password", models.CharField(max_length=128, verbose_name="password")),
                        ("last_login", models.DateTimeField(blank=True, null=True, verbose_name="last login")),
                        ("email", models.EmailField(max_length=254, unique=True)),
                        ("full_name", models.CharField(max_length=150)),
                        ("is_active", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        "verbose_name_plural": "vendor staff",
                        "db_table": "tickets_vendorstaff",
                    },
                ),
                migrations.CreateModel(
                    name="VendorTotpKey",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(help_text="Hex-encoded secret, as django-otp stores it.", max_length=80)),
                        ("confirmed", models.BooleanField(default=False)),
                        ("last_step", models.BigIntegerField(default=-1)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "staff",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="totp_key",
                                to="console.vendorstaff",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "tickets_vendortotpkey",
                    },
                ),
                migrations.CreateModel(
                    name="VendorRecoveryCode",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code_hash", models.CharField(max_length=64)),
                        ("used_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "staff",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="recovery_codes",
                                to="console.vendorstaff",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "tickets_vendorrecoverycode",
                        "constraints": [
                            models.UniqueConstraint(fields=("staff", "code_hash"), name="vendor_recovery_code_unique")
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(to_console, to_tickets),
    ]
