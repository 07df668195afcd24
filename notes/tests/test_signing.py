import datetime

import pyotp
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.people.models import Membership
from audit.models import AuditEvent
from conftest import PASSWORD
from notes.addenda import services as addenda
from notes.drafts import services as drafts
from notes.records.models import Note, Status
from notes.setup.services import save_settings, settings_for_clinic
from notes.signing import services
from tenancy.context import tenant_context

from .conftest import DAP_ANSWERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def credentialed(org, clinician):
    with tenant_context(org):
        Membership.objects.filter(pk=clinician.pk).update(credentials="LCSW")
        clinician.refresh_from_db()
    return clinician


def _sign(org, note, actor, **credentials):
    with tenant_context(org):
        return services.sign_note(note, actor=actor, expected_version=note.version, **credentials)


def test_signing_needs_the_password_and_shows_credentials(org, credentialed, chart, make_note, clinic_client):
    note = make_note(credentialed, chart, answers=DAP_ANSWERS)
    browser = clinic_client(org, credentialed)
    page = browser.get(f"/notes/{note.pk}/sign/")
    assert "Carol Clinician, LCSW" in page.content.decode()
    wrong = browser.post(f"/notes/{note.pk}/sign/", {"password": "nope", "version": note.version})
    assert wrong.status_code == 400
    assert "That password is not right." in wrong.content.decode()
    assert AuditEvent.objects.filter(action="note.reauth_failed").exists()
    right = browser.post(f"/notes/{note.pk}/sign/", {"password": PASSWORD, "version": note.version})
    assert right.status_code == 302
    with tenant_context(org):
        note.refresh_from_db()
    assert note.status == Status.SIGNED and note.signature == "Carol Clinician, LCSW"
    shown = browser.get(f"/notes/{note.pk}/").content.decode()
    assert "Signed by <strong>Carol Clinician, LCSW</strong>" in shown


def test_a_two_step_user_signs_with_a_code_not_the_password(org, clinician, chart, make_note):
    note = make_note(clinician, chart, answers=DAP_ANSWERS)
    device = TOTPDevice.objects.create(user=clinician.user, name="app", confirmed=True)
    with pytest.raises(ValidationError) as refused:
        _sign(org, note, clinician, password=PASSWORD)
    assert "code" in refused.value.message_dict
    code = pyotp.TOTP(__import__("base64").b32encode(device.bin_key).decode()).now()
    signed = _sign(org, note, clinician, code=code)
    assert signed.status == Status.SIGNED


def test_signing_an_incomplete_note_lists_what_is_missing(org, clinician, chart, make_note, clinic_client):
    note = make_note(clinician, chart, answers={"data": "Only this"})
    with pytest.raises(ValidationError) as refused:
        _sign(org, note, clinician, password=PASSWORD)
    assert refused.value.messages == [
        "Complete these before signing: Your clinical impression and progress toward goals, "
        "Next steps, homework and next session."
    ]
    page = clinic_client(org, clinician).get(f"/notes/{note.pk}/sign/").content.decode()
    assert "Complete these before signing" in page and "Next steps, homework and next session" in page


def test_a_signed_note_cannot_be_changed_by_any_path(org, clinician, chart, make_note, clinic_client):
    note = _sign(org, make_note(clinician, chart, answers=DAP_ANSWERS), clinician, password=PASSWORD)
    with tenant_context(org), pytest.raises(ValidationError, match="signed and can no longer be changed"):
        drafts.save_draft(note, actor=clinician, expected_version=note.version, answers={"data": "changed"})
    browser = clinic_client(org, clinician)
    form = {
        "version": note.version,
        "s-service_date": note.service_date.isoformat(),
        "s-attendance": "attended",
        "a-data": "Rewritten history",
    }
    for path in ("save", "autosave"):
        response = browser.post(f"/notes/{note.pk}/{path}/", form)
        assert response.status_code in (400, 409, 422), path
    assert browser.post(f"/notes/{note.pk}/sign/", {"password": PASSWORD, "version": note.version}).status_code == 403
    with tenant_context(org):
        note.refresh_from_db()
    assert note.answers["data"] == DAP_ANSWERS["data"]
    page = browser.get(f"/notes/{note.pk}/").content.decode()
    assert 'id="note-form"' not in page


def test_addenda_are_signed_numbered_and_leave_the_original_alone(org, clinician, chart, make_note, clinic_client):
    note = _sign(org, make_note(clinician, chart, answers=DAP_ANSWERS), clinician, password=PASSWORD)
    browser = clinic_client(org, clinician)
    refused = browser.post(f"/notes/{note.pk}/addendum/", {"text": "Correction", "password": "bad"})
    assert refused.status_code == 400
    for text in ("First correction", "Second correction"):
        assert browser.post(f"/notes/{note.pk}/addendum/", {"text": text, "password": PASSWORD}).status_code == 302
    with tenant_context(org):
        assert [(a.number, a.text) for a in note.addenda.all()] == [(1, "First correction"), (2, "Second correction")]
        note.refresh_from_db()
    assert note.answers == {**DAP_ANSWERS, "distress": 3}
    page = browser.get(f"/notes/{note.pk}/").content.decode()
    assert page.index("Addendum 1") < page.index("Addendum 2")


def test_addenda_are_refused_on_drafts(org, clinician, chart, make_note):
    note = make_note(clinician, chart)
    with tenant_context(org), pytest.raises(ValidationError, match="Addenda are for signed notes"):
        addenda.add_addendum(note, actor=clinician, text="x", password=PASSWORD)


def test_unlocking_is_off_by_default(org, clinician, chart, make_note):
    note = _sign(org, make_note(clinician, chart, answers=DAP_ANSWERS), clinician, password=PASSWORD)
    with tenant_context(org), pytest.raises(ValidationError, match="can no longer be unlocked"):
        services.unlock_note(note, actor=clinician, expected_version=note.version)


def test_the_clinic_may_allow_unlocking_within_n_hours(org, admin, clinician, chart, make_note, clinic_client):
    with tenant_context(org):
        current = settings_for_clinic()
        save_settings(
            current,
            actor=admin,
            expected_version=current.version,
            enabled_types=["progress"],
            unlock_hours=2,
            overdue_hours=72,
        )
    note = _sign(org, make_note(clinician, chart, answers=DAP_ANSWERS), clinician, password=PASSWORD)
    later = timezone.now() + datetime.timedelta(hours=3)
    with (
        time_machine.travel(later, tick=False),
        tenant_context(org),
        pytest.raises(ValidationError, match="can no longer be unlocked"),
    ):
        services.unlock_note(note, actor=clinician, expected_version=note.version)
    browser = clinic_client(org, clinician)
    assert browser.post(f"/notes/{note.pk}/unlock/", {"version": note.version}).status_code == 302
    with tenant_context(org):
        note.refresh_from_db()
    assert note.status == Status.DRAFT and note.signature == ""
    assert AuditEvent.objects.filter(action="note.unlocked", object_id=str(note.pk)).exists()


def test_overdue_after_the_clinics_hours_and_listed(org, clinician, chart, make_note, clinic_client):
    note = make_note(clinician, chart, service_date=timezone.localdate() - datetime.timedelta(days=5))
    with tenant_context(org):
        assert Note.objects.get(pk=note.pk).is_overdue(timezone.now())
    page = clinic_client(org, clinician).get("/notes/late/").content.decode()
    assert f"/notes/{note.pk}/" in page


def test_an_administrator_records_credentials_on_the_staff_record(org, admin, clinician, clinic_client):
    response = clinic_client(org, admin).post(
        f"/staff/{clinician.pk}/",
        {
            "full_name": "Carol Clinician",
            "username": "carol",
            "title": "",
            "credentials": "LPC",
            "roles": ["clinician"],
            "version": clinician.version,
        },
    )
    assert response.status_code == 302
    with tenant_context(org):
        assert Membership.objects.get(pk=clinician.pk).signature_name == "Carol Clinician, LPC"
    assert AuditEvent.objects.filter(action="staff.updated", detail__fields=["credentials"]).exists()


def test_wrong_passwords_at_signing_are_throttled(org, clinician, chart, make_note):
    note = make_note(clinician, chart, answers=DAP_ANSWERS)
    for _ in range(services.MAX_FAILURES):
        with pytest.raises(ValidationError, match="That password is not right"):
            _sign(org, note, clinician, password="guess")
    with pytest.raises(ValidationError, match="Too many wrong attempts"):
        _sign(org, note, clinician, password=PASSWORD)
    assert AuditEvent.objects.filter(action="note.reauth_throttled").count() == 1
