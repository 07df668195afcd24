"""Ids of another clinic, asked for: recorded in the clinic that owns them too, telling it nothing of the asker.

The asking clinic's log gets ``access.not_found`` as always. The owning clinic's log gets ``access.foreign_probe``:
the kind of record and its id, "another clinic" as the actor, and a ``reference`` shared with the asker's event so
the vendor can match the two; never the asking clinic, its person or their address.

The owner is looked up in a background task that every miss queues, whether or not the id exists anywhere, so the
asker's response costs the same either way and cannot tell them that an id exists in another clinic.
"""

import secrets

from django.apps import apps
from django_tasks import task

from audit.models import Outcome
from audit.services import record
from tenancy.context import tenant_context
from tenancy.models import Organization
from tenancy.owner import owning_organization_id

FOREIGN_PROBE = "access.foreign_probe"
ACTOR_LABEL = "another clinic"


def new_reference() -> str:
    return secrets.token_hex(8)


def queue_owner_check(*, reference: str, object_type: str, object_id: str, asking_organization_id: int | None) -> None:
    """Queue the look-up of the refused id's owner (see the module's docstring for why always)."""
    record_in_owning_clinic.enqueue(
        reference=reference,
        object_type=object_type,
        object_id=object_id,
        asking_organization_id=asking_organization_id,
    )


@task()
def record_in_owning_clinic(
    *, reference: str, object_type: str, object_id: str, asking_organization_id: int | None
) -> None:
    """If another clinic owns the refused id, add ``access.foreign_probe`` to that clinic's log."""
    model = apps.get_model(object_type)
    owner_id = owning_organization_id(model, object_id)
    if owner_id is None or owner_id == asking_organization_id:
        return
    owner = Organization.objects.get(pk=owner_id)
    with tenant_context(owner):
        record(
            FOREIGN_PROBE,
            organization=owner,
            actor_label=ACTOR_LABEL,
            object_type=object_type,
            object_id=object_id,
            outcome=Outcome.DENIED,
            detail={"reference": reference},
        )
