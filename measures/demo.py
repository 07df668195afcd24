"""Demo scores: a year of fortnightly PHQ-9 and GAD-7 for a few clients, improving with care (one with a setback)."""

import datetime
import random

from django.utils import timezone

from accounts.people.models import Membership
from clients.records.models import Client
from measures.administrations.models import Administration, Method, Status
from measures.instruments import scoring
from measures.instruments.models import Instrument
from tenancy.models import Organization

WEEKS = 52
EVERY = 2
CLIENTS = 3


def _answers(spec: scoring.Definition, target: int, rng: random.Random) -> list[int | None]:
    """Answers on the scale adding up to ``target``; critical items stay at their lowest value."""
    top = max(spec.values)
    answers = [0] * len(spec.items)
    open_items = [i for i, item in enumerate(spec.items) if not item.critical]
    for _ in range(min(target, top * len(open_items))):
        choice = rng.choice([i for i in open_items if answers[i] < top])
        answers[choice] += 1
    return list(answers)


def load(organization: Organization, staff: dict[str, Membership]) -> None:
    """Create the demo scores once per client (a client who has any keeps what they have)."""
    rng = random.Random(organization.slug)  # noqa: S311 - repeatable demo data, not a secret
    instruments = list(Instrument.objects.filter(key__in=["phq9", "gad7"]).order_by("key"))
    clients = Client.objects.filter(status="active", primary_clinician__isnull=False).order_by("number")[:CLIENTS]
    now = timezone.now()
    for index, client in enumerate(clients):
        if Administration.objects.filter(client=client).exists():
            continue
        rows = []
        for instrument in instruments:
            spec = instrument.spec
            start = 0.75 * spec.max_total - 2 * index
            for step in range(WEEKS // EVERY + 1):
                progress = step / (WEEKS // EVERY)
                setback = 4 if index == 1 and 10 <= step <= 13 else 0
                target = max(0, round(start * (1 - 0.7 * progress) + setback + rng.uniform(-2, 2)))
                answers = _answers(spec, target, rng)
                result = scoring.score(spec, answers)
                rows.append(
                    Administration(
                        client=client,
                        instrument=instrument,
                        answers=answers,
                        status=Status.COMPLETE,
                        total=result.total,
                        band=result.band.label if result.band else "",
                        band_level=result.band.level if result.band else None,
                        method=Method.LINK if step % 3 else Method.IN_SESSION,
                        administered_by=None if step % 3 else client.primary_clinician,
                        completed_at=now - datetime.timedelta(weeks=WEEKS - step * EVERY),
                    )
                )
        Administration.objects.bulk_create(rows)
