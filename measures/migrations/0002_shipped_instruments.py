"""Load the shipped instruments (PHQ-9, GAD-7, PCL-5) from measures/instruments/data/*.json."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "instruments" / "data"
SHIPPED = ("phq9", "gad7", "pcl5")


def load(apps, schema_editor):
    from measures.instruments.services import fields_from

    Instrument = apps.get_model("measures", "Instrument")
    for key in SHIPPED:
        data = json.loads((DATA / f"{key}.json").read_text(encoding="utf-8"))
        Instrument.objects.update_or_create(key=key, defaults=fields_from(data))


def unload(apps, schema_editor):
    apps.get_model("measures", "Instrument").objects.filter(key__in=SHIPPED).delete()


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
