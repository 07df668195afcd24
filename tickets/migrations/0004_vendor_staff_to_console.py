"""The vendor console's models leave the tickets app for the console app (``console/migrations/0001_initial.py``).

Only Django's state changes: ``TicketUpdate.vendor_author`` now names ``console.VendorStaff``, whose table is the
same ``tickets_vendorstaff``, so the column and its foreign key stay as they are; the three tables stay too.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("console", "0001_initial"),
        ("tickets", "0003_vendor_mfa"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="ticketupdate",
                    name="vendor_author",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ticket_updates",
                        to="console.vendorstaff",
                    ),
                ),
                migrations.DeleteModel(name="VendorRecoveryCode"),
                migrations.DeleteModel(name="VendorTotpKey"),
                migrations.DeleteModel(name="VendorStaff"),
            ],
        ),
    ]
