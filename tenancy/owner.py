"""Which clinic owns a row, asked across the wall between clinics, for the audit of refused ids only.

When someone in one clinic asks for an id that is not theirs, the clinic that owns it should see the attempt in its
own log (``audit.probes``). Finding that clinic means reading past row-level security; on PostgreSQL the SECURITY
DEFINER function ``hearth_row_owner`` (migration ``0007``) does exactly that and returns the owning clinic's id
alone, for tables under row-level security only. Other databases have no row-level security; the unfiltered manager
answers there.
"""

from django.core.exceptions import ValidationError
from django.db import connection, models


def owning_organization_id(model: type[models.Model], pk: object) -> int | None:
    """The id of the clinic that owns ``model`` row ``pk``; None for an unknown id or a model no clinic owns."""
    if not getattr(model, "tenant_isolated", False):
        return None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT hearth_row_owner(%s::regclass, %s)", [model._meta.db_table, str(pk)[:64]])
            row = cursor.fetchone()
        return row[0] if row else None
    try:
        return model.all_tenants.filter(pk=pk).values_list("organization_id", flat=True).first()  # type: ignore[attr-defined]
    except (ValueError, TypeError, ValidationError):
        return None
