"""Loading instruments (shipped or a clinic's own validated one) and each clinic's cut-off."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.people.models import Membership
from audit.services import record
from measures.instruments import scoring
from measures.instruments.models import Instrument, InstrumentSetting

SHIPPED = Path(__file__).parent / "data"


def fields_from(data: dict) -> dict:
    """The ``Instrument`` fields of a definition, after ``scoring.parse`` accepted it."""
    definition = scoring.parse(data)
    return {
        "name": definition.name,
        "title": str(data.get("title") or definition.name),
        "definition": data,
        "loinc_total": str(data.get("loinc_total", "")),
        "loinc_panel": str(data.get("loinc_panel", "")),
        "source": str(data.get("source", "")),
    }


def restore_shipped_instruments(sender=None, *, apps=None, using="default", **kwargs) -> None:
    """Creates any shipped instrument that is missing (``post_migrate``). The data migration loads them once, but a
    database flush (which test runs do between transactional tests) empties the table and then sends
    ``post_migrate``, as for content types; a definition already present is left as it is."""
    try:
        model = apps.get_model("measures", "Instrument") if apps is not None else Instrument
    except LookupError:  # migrated back to before the measures tables
        return
    present = set(model.objects.using(using).values_list("key", flat=True))
    for path in sorted(SHIPPED.glob("*.json")):
        data = read_file(path)
        if data["key"] not in present:
            model.objects.using(using).create(key=data["key"], **fields_from(data))


@transaction.atomic
def load_instrument(data: dict) -> Instrument:
    """Add or replace an instrument from its definition (``manage.py load_instrument``). An instrument already
    administered keeps its key; its stored totals stay as they were scored."""
    fields = fields_from(data)
    instrument, _ = Instrument.objects.update_or_create(key=data["key"], defaults=fields)
    record("measures.instrument_loaded", target=instrument, detail={"key": instrument.key})
    return instrument


def read_file(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValidationError(f"Can't read {path.name}: {error}") from None


def active_instruments() -> list[Instrument]:
    return list(Instrument.objects.filter(is_active=True).order_by("name"))


def cutoff_for(instrument: Instrument) -> int | None:
    """The clinic's cut-off for an instrument read against one, else the instrument's default."""
    if instrument.spec.bands:
        return None
    setting = InstrumentSetting.objects.filter(instrument=instrument).first()
    return setting.cutoff if setting else instrument.spec.default_cutoff


@transaction.atomic
def set_cutoff(instrument: Instrument, *, actor: Membership, cutoff: int, request=None) -> InstrumentSetting:
    spec = instrument.spec
    if spec.bands:
        raise ValidationError({"cutoff": f"{instrument.name} is read with its published bands, not a cut-off."})
    if not spec.min_total < cutoff <= spec.max_total:
        raise ValidationError({"cutoff": f"Choose a cut-off between {spec.min_total + 1} and {spec.max_total}."})
    setting, _ = InstrumentSetting.objects.update_or_create(instrument=instrument, defaults={"cutoff": cutoff})
    record(
        "measures.cutoff_changed",
        request=request,
        actor=actor.user,
        target=setting,
        detail={"instrument": instrument.key, "cutoff": cutoff},
    )
    return setting
