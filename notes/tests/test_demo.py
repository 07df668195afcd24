import pytest
from django.utils import timezone

from accounts.demo import load_demo
from accounts.people.models import Membership
from notes.records.models import Note, Status
from tenancy.context import tenant_context


@pytest.mark.django_db
def test_the_demo_has_signed_draft_overdue_and_waiting_notes_and_loads_twice():
    clinics = load_demo()
    load_demo()
    with tenant_context(clinics[0]):
        casey = Membership.objects.get(username="clinician")
        sam = Membership.objects.get(username="supervisor")
        mine = Note.objects.filter(author=casey)
        assert mine.filter(status=Status.SIGNED, cosigned_at__isnull=False).exists()
        assert mine.filter(status=Status.DRAFT).count() == 2
        assert any(note.is_overdue(timezone.now()) for note in mine)
        assert Note.objects.filter(status=Status.AWAITING_COSIGN, cosigner=sam).count() == 1
        assert Note.objects.filter(author=sam, status=Status.SIGNED).exists()
        assert casey.signature_name == "Casey Clinician, LCSW"
        assert Note.objects.count() == 5
