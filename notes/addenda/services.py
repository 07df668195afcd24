from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from accounts.people.models import Membership
from audit.services import record
from notes.addenda.models import Addendum
from notes.records.models import Note
from notes.signing.services import confirm_identity

MAX_LENGTH = 20_000


def add_addendum(
    note: Note, *, actor: Membership, text: str, password: str = "", code: str = "", request=None
) -> Addendum:
    """Append a signed addendum to a signed note; the note itself is not touched. Addenda are numbered in order
    under a lock of the note, so two written at once never share a number."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the addendum."})
    if len(text) > MAX_LENGTH:
        raise ValidationError({"text": f"Keep an addendum under {MAX_LENGTH:,} characters."})
    confirm_identity(actor, password=password, code=code, request=request, purpose="addendum")
    with transaction.atomic():
        locked = Note.objects.select_for_update().get(pk=note.pk)
        if locked.is_editable:
            raise ValidationError("Addenda are for signed notes; change the draft itself instead.")
        number = (locked.addenda.aggregate(last=Max("number"))["last"] or 0) + 1
        addendum = Addendum.objects.create(
            note=locked, number=number, author=actor, text=text, signature=actor.signature_name
        )
        record(
            "note.addendum_added",
            request=request,
            target=locked,
            client_id=locked.client_id,
            detail={"addendum": number},
        )
        return addendum
