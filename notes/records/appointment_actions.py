"""The "Write note" buttons on an appointment's page (registered with ``scheduling.appointments.actions``)."""

from django.urls import reverse

from notes import policies
from notes.records.models import Note


def note_links(request, appointment, client_links) -> list[tuple[str, str]]:
    """One button per client on the person's caseload, for the appointment's clinicians (open the note if they
    already started one), or one "Write group note" for a group."""
    actor = request.membership
    clinicians = [link.clinician_id for link in appointment.clinician_links.all()]
    if not policies.can_write_from_appointment(actor, clinicians):
        return []
    if appointment.appointment_type.is_group:
        return [("Write group note", reverse("notes:group_start", args=[appointment.pk]))]
    written = dict(
        Note.objects.filter(appointment=appointment, author=actor, group_session__isnull=True).values_list(
            "client_id", "pk"
        )
    )
    links = []
    for link in client_links:
        if not link.visible:
            continue  # not on the person's caseload: the chart would refuse them
        who = link.client.display_name
        if link.client_id in written:
            links.append((f"Open note for {who}", reverse("notes:detail", args=[written[link.client_id]])))
        else:
            url = reverse("notes:from_appointment", args=[appointment.pk, link.client_id])
            links.append((f"Write note for {who}", url))
    return links
