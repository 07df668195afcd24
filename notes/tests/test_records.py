"""The Notes tab, access rules, group notes, psychotherapy notes and printing."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from clients.consents.models import Disclosure
from clients.records.services import break_glass
from clients.tests.factories import create_client
from conftest import PASSWORD
from notes.group import services as group_services
from notes.records.models import Note
from notes.signing.services import sign_note
from scheduling.appointments.models import AppointmentClient, AppointmentType
from tenancy.context import tenant_context

from .conftest import DAP_ANSWERS

pytestmark = pytest.mark.django_db


def _signed(org, make_note, author, client, **kwargs):
    note = make_note(author, client, answers=kwargs.pop("answers", DAP_ANSWERS), **kwargs)
    with tenant_context(org):
        return sign_note(note, actor=author, expected_version=note.version, password=PASSWORD)


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_notes_tab_pages_in_constant_queries(
    org, clinician, chart, make_note, clinic_client, django_assert_max_num_queries
):
    for _ in range(3):
        _signed(org, make_note, clinician, chart)
    browser = clinic_client(org, clinician)
    browser.get(f"/clients/{chart.pk}/notes/")
    with django_assert_max_num_queries(30) as few:
        browser.get(f"/clients/{chart.pk}/notes/")
    for _ in range(30):
        _signed(org, make_note, clinician, chart)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = browser.get(f"/clients/{chart.pk}/notes/")
    assert 'rel="next"' in page.content.decode()
    assert len(re.findall(r'href="/notes/\d+/"', page.content.decode())) == 25


def test_an_outsider_gets_404_and_is_audited(org, outsider, other_org, clinician, chart, make_note, clinic_client):
    note = _signed(org, make_note, clinician, chart)
    browser = clinic_client(other_org, outsider)
    for path in (f"/notes/{note.pk}/", f"/notes/{note.pk}/pdf/", f"/notes/client/{chart.pk}/new/"):
        assert browser.get(path).status_code == 404, path
    assert browser.post(f"/notes/{note.pk}/addendum/", {"text": "x", "password": PASSWORD}).status_code == 404
    assert AuditEvent.objects.filter(action="access.not_found").count() >= 4


def test_out_of_role_staff_get_403_and_are_audited(
    org, front_desk, billing, clinician, chart, make_note, clinic_client
):
    note = _signed(org, make_note, clinician, chart)
    for member in (front_desk, billing):
        browser = clinic_client(org, member)
        assert browser.get(f"/notes/{note.pk}/").status_code == 403
        assert browser.get(f"/clients/{chart.pk}/notes/").status_code == 403
        assert browser.get(f"/notes/client/{chart.pk}/print/").status_code == 403
    assert AuditEvent.objects.filter(action="access.denied").count() >= 6


def test_reading_a_note_is_audited(org, clinician, chart, make_note, clinic_client):
    note = _signed(org, make_note, clinician, chart)
    clinic_client(org, clinician).get(f"/notes/{note.pk}/")
    assert AuditEvent.objects.filter(action="note.viewed", object_id=str(note.pk), client_id=chart.pk).exists()


def test_psychotherapy_notes_are_the_authors_alone(org, admin, clinician, make_member, chart, make_note, clinic_client):
    org.admins_read_clinical = True
    org.save()
    psy = _signed(
        org,
        make_note,
        clinician,
        chart,
        template="psychotherapy",
        note_type="psychotherapy",
        answers={"process": "Countertransference worth watching"},
    )
    progress = _signed(org, make_note, clinician, chart)
    colleague = make_member(org, "dana", "clinician")
    with tenant_context(org):
        break_glass(chart, actor=colleague, reason="Client in crisis, primary clinician away")
    for member in (admin, colleague):
        browser = clinic_client(org, member)
        assert browser.get(f"/notes/{psy.pk}/").status_code == 404
        assert browser.get(f"/notes/{progress.pk}/").status_code == 200
        tab = browser.get(f"/clients/{chart.pk}/notes/").content.decode()
        assert f"/notes/{psy.pk}/" not in tab and f"/notes/{progress.pk}/" in tab
    author = clinic_client(org, clinician)
    page = author.get(f"/notes/{psy.pk}/").content.decode()
    assert "Only you can see it" in page and "Countertransference" in page
    assert author.get(f"/notes/{psy.pk}/pdf/").status_code == 403
    today = timezone.localdate()
    pdf = author.post(
        f"/notes/client/{chart.pk}/print/",
        {
            "first": (today - datetime.timedelta(days=30)).isoformat(),
            "last": today.isoformat(),
            "purpose_kind": "internal",
        },
    )
    text = _pdf_text(pdf.content)
    assert "Talked about the week at work." in text and "Countertransference" not in text


def test_psychotherapy_notes_never_wait_for_cosignature(org, admin, clinician, supervisor, chart, make_note):
    from notes.cosign.services import set_supervision

    with tenant_context(org):
        set_supervision(clinician, actor=admin, supervisor=supervisor)
    psy = _signed(
        org,
        make_note,
        clinician,
        chart,
        template="psychotherapy",
        note_type="psychotherapy",
        answers={"process": "private"},
    )
    assert psy.cosigner is None and psy.status == "signed"


def test_a_pdf_has_signatures_and_addenda_and_release_is_a_disclosure(org, clinician, chart, make_note, clinic_client):
    from notes.addenda.services import add_addendum

    note = _signed(org, make_note, clinician, chart)
    with tenant_context(org):
        add_addendum(note, actor=clinician, text="Late entry: phone call after session.", password=PASSWORD)
    browser = clinic_client(org, clinician)
    single = browser.get(f"/notes/{note.pk}/pdf/")
    assert single["Content-Type"] == "application/pdf"
    assert "Jordan" not in single["Content-Disposition"]
    text = _pdf_text(single.content)
    assert "Signed by Carol Clinician" in text and "Late entry: phone call after session." in text
    today = timezone.localdate()
    missing = browser.post(
        f"/notes/client/{chart.pk}/print/",
        {
            "first": today.isoformat(),
            "last": (today - datetime.timedelta(days=3)).isoformat(),
            "purpose_kind": "release",
        },
    )
    assert "must not be before its start" in missing.content.decode()
    released = browser.post(
        f"/notes/client/{chart.pk}/print/",
        {
            "first": (today - datetime.timedelta(days=7)).isoformat(),
            "last": today.isoformat(),
            "purpose_kind": "release",
            "legal_basis": "court_order",
            "recipient_name": "County court",
            "purpose": "Subpoena",
        },
    )
    assert released["Content-Type"] == "application/pdf"
    with tenant_context(org):
        disclosure = Disclosure.objects.get(client=chart)
    assert disclosure.recipient_name == "County court" and disclosure.categories == ["progress_notes"]
    assert AuditEvent.objects.filter(action="note.printed", client_id=chart.pk).count() == 2


def test_a_group_note_files_one_note_per_member_without_other_names(
    org, clinician, chart, appointment, templates, clinic_client
):
    other = create_client(org, "Morgan", "Hale", primary=clinician)
    with tenant_context(org):
        AppointmentClient.objects.create(appointment=appointment, client=other)
        AppointmentType.objects.filter(pk=appointment.appointment_type_id).update(is_group=True)
    browser = clinic_client(org, clinician)
    assert "Write group note" in browser.get(f"/schedule/appointments/{appointment.pk}/").content.decode()
    response = browser.post(
        f"/notes/appointment/{appointment.pk}/group/", {"title": "Coping skills", "template": templates["dap"].pk}
    )
    assert response.status_code == 302
    with tenant_context(org):
        group = group_services.GroupSession.objects.get()
        group_services.save_shared(
            group,
            actor=clinician,
            expected_version=group.version,
            shared_text="Practised grounding skills together.",
            title="Coping skills",
        )
        notes = {n.client_id: n for n in Note.objects.filter(group_session=group)}
    assert set(notes) == {chart.pk, other.pk}
    mine = browser.get(f"/notes/{notes[chart.pk].pk}/").content.decode()
    assert "Practised grounding skills together." in mine
    assert "Morgan" not in mine and "Hale" not in mine
    theirs = browser.get(f"/notes/{notes[other.pk].pk}/").content.decode()
    assert "Jordan" not in theirs.split("</header>", 1)[1] and "Rivers" not in theirs.split("</header>", 1)[1]
