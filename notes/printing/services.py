"""Notes as a PDF for a records request: signed notes only, with signatures and addenda, never psychotherapy
notes. Printing is audited; a copy released outside the clinic is also logged as a disclosure (accounting of
disclosures, HIPAA 164.528) through ``clients.consents.services.record_disclosure``."""

import datetime
from pathlib import Path

from django.db import transaction
from django.template.loader import render_to_string

from accounts.people.models import Membership
from audit.services import record
from clients.consents.models import ReleaseCategory
from clients.consents.services import record_disclosure
from clients.records.models import Client
from core.clinic_time import clinic_today
from notes.records import display, selectors
from notes.records.models import Note

STYLESHEET = Path(__file__).with_name("print.css")


def render_pdf(client: Client, notes: list[Note], *, title: str) -> bytes:
    from weasyprint import CSS, HTML

    entries = [
        {
            "note": note,
            "sections": display.sections(note.template_version.schema if note.template_version else None, note.answers),
        }
        for note in notes
    ]
    html = render_to_string("notes/print.html", {"client": client, "entries": entries, "title": title})
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])


@transaction.atomic
def print_notes(
    client: Client,
    *,
    actor: Membership,
    first: datetime.date,
    last: datetime.date,
    release: dict | None = None,
    request=None,
) -> bytes:
    """The PDF of ``client``'s signed notes from ``first`` to ``last``. ``release`` (the disclosure's fields:
    legal basis, authorisation or recipient, purpose) logs the copy as a disclosure in the same transaction."""
    notes = list(selectors.notes_for_print(client, first, last))
    if release is not None:
        data = {
            **release,
            "disclosed_on": clinic_today(),
            "categories": [ReleaseCategory.PROGRESS_NOTES],
            "released_by": actor,
            "information_description": f"{len(notes)} clinical notes, {first:%Y-%m-%d} to {last:%Y-%m-%d}",
        }
        record_disclosure(client, actor=actor, data=data, request=request)
    record(
        "note.printed",
        request=request,
        target=client,
        client_id=client.pk,
        detail={"notes": [note.pk for note in notes], "released": release is not None},
    )
    return render_pdf(client, notes, title="Clinical notes")


@transaction.atomic
def print_note(note: Note, *, actor: Membership, request=None) -> bytes:
    """One signed note, for the clinic's own use (a copy to release goes through ``print_notes``)."""
    from django.core.exceptions import ValidationError

    if note.is_editable or note.is_psychotherapy:
        raise ValidationError("Only signed notes of the medical record are printed.")
    record("note.printed", request=request, target=note, client_id=note.client_id, detail={"notes": [note.pk]})
    return render_pdf(note.client, [note], title="Clinical note")
