import pytest
from django.core.exceptions import ValidationError

from clients.insurance.models import InsurancePolicy, Payer
from conftest import PASSWORD
from notes.cosign import services
from notes.cosign.models import Mode
from notes.records.models import Status
from notes.signing.services import sign_note
from tenancy.context import tenant_context

from .conftest import DAP_ANSWERS

pytestmark = pytest.mark.django_db


def _supervise(org, admin, clinician, supervisor, mode=Mode.ALL, payers=()):
    with tenant_context(org):
        return services.set_supervision(clinician, actor=admin, supervisor=supervisor, mode=mode, payers=payers)


def _signed(org, make_note, clinician, chart):
    note = make_note(clinician, chart, answers=DAP_ANSWERS)
    with tenant_context(org):
        return sign_note(note, actor=clinician, expected_version=note.version, password=PASSWORD)


def test_return_revise_resign_cosign(org, admin, clinician, supervisor, chart, make_note, clinic_client):
    _supervise(org, admin, clinician, supervisor)
    note = _signed(org, make_note, clinician, chart)
    assert note.status == Status.AWAITING_COSIGN and note.cosigner == supervisor
    boss = clinic_client(org, supervisor)
    assert f"/notes/{note.pk}/" in boss.get("/notes/cosign/").content.decode()
    no_comment = boss.post(f"/notes/{note.pk}/review/", {"decision": "return", "version": note.version})
    assert no_comment.status_code == 400 and "Say what should change." in no_comment.content.decode()
    returned = boss.post(
        f"/notes/{note.pk}/review/", {"decision": "return", "comment": "Add the risk review.", "version": note.version}
    )
    assert returned.status_code == 302
    author = clinic_client(org, clinician)
    page = author.get(f"/notes/{note.pk}/").content.decode()
    assert "Add the risk review." in page and 'id="note-form"' in page
    with tenant_context(org):
        note.refresh_from_db()
    form = {
        "version": note.version,
        "s-service_date": note.service_date.isoformat(),
        "s-start_time": "10:00",
        "s-end_time": "10:50",
        "s-attendance": "attended",
        **{f"a-{k}": v for k, v in DAP_ANSWERS.items()},
        "a-assessment": "Coping better; no risk today.",
    }
    assert author.post(f"/notes/{note.pk}/autosave/", form).status_code == 200
    with tenant_context(org):
        note.refresh_from_db()
    assert author.post(f"/notes/{note.pk}/sign/", {"password": PASSWORD, "version": note.version}).status_code == 302
    with tenant_context(org):
        note.refresh_from_db()
    assert note.status == Status.AWAITING_COSIGN
    cosigned = boss.post(
        f"/notes/{note.pk}/review/", {"decision": "cosign", "password": PASSWORD, "version": note.version}
    )
    assert cosigned.status_code == 302
    with tenant_context(org):
        note.refresh_from_db()
    assert note.status == Status.SIGNED and note.cosignature == "Sue Supervisor"
    page = author.get(f"/notes/{note.pk}/").content.decode()
    assert "Signed by <strong>Carol Clinician</strong>" in page
    assert "Co-signed by <strong>Sue Supervisor</strong>" in page


def test_only_the_assigned_supervisor_reviews(
    org, admin, clinician, supervisor, make_member, chart, make_note, clinic_client
):
    _supervise(org, admin, clinician, supervisor)
    note = _signed(org, make_note, clinician, chart)
    other = make_member(org, "sam", "supervisor", "clinician")
    response = clinic_client(org, other).post(
        f"/notes/{note.pk}/review/", {"decision": "cosign", "password": PASSWORD, "version": 1}
    )
    assert response.status_code in (403, 404)
    with tenant_context(org), pytest.raises(ValidationError, match="another supervisor"):
        services.cosign_note(note, actor=other, expected_version=note.version, password=PASSWORD)


def test_payers_mode_only_for_chosen_payers(org, admin, clinician, supervisor, chart, make_note):
    with tenant_context(org):
        medicaid = Payer.objects.create(name="State Medicaid", payer_id="SKMD1")
        Payer.objects.create(name="Other plan", payer_id="OTHR1")
    _supervise(org, admin, clinician, supervisor, Mode.PAYERS, [medicaid])
    assert _signed(org, make_note, clinician, chart).status == Status.SIGNED
    with tenant_context(org):
        InsurancePolicy.objects.create(
            client=chart, payer=medicaid, member_id="M123456", effective_date=chart.created_at.date().replace(year=2020)
        )
    assert _signed(org, make_note, clinician, chart).status == Status.AWAITING_COSIGN


def test_review_mode_is_not_final_until_approved(org, admin, clinician, supervisor, chart, make_note):
    _supervise(org, admin, clinician, supervisor, Mode.REVIEW)
    note = _signed(org, make_note, clinician, chart)
    assert not note.counts_as_final
    _supervise(org, admin, clinician, supervisor, Mode.ALL)
    assert _signed(org, make_note, clinician, chart).counts_as_final


def test_the_queue_is_paged_in_constant_queries(
    org, admin, clinician, supervisor, chart, make_note, clinic_client, django_assert_max_num_queries
):
    _supervise(org, admin, clinician, supervisor)
    for _ in range(27):
        _signed(org, make_note, clinician, chart)
    boss = clinic_client(org, supervisor)
    boss.get("/notes/cosign/")
    with django_assert_max_num_queries(14):
        first = boss.get("/notes/cosign/")
    assert first.content.decode().count("/notes/") >= 25 and 'rel="next"' in first.content.decode()
    assert 'rel="prev"' in boss.get("/notes/cosign/?page=2").content.decode()


def test_supervision_is_set_by_administrators(org, admin, clinician, supervisor, clinic_client):
    assert clinic_client(org, clinician).get("/notes/settings/supervision/").status_code == 403
    browser = clinic_client(org, admin)
    response = browser.post(
        f"/notes/settings/supervision/{clinician.pk}/", {"supervisor": supervisor.pk, "mode": "all"}
    )
    assert response.status_code == 302
    page = browser.get("/notes/settings/supervision/").content.decode()
    assert "Sue Supervisor" in page
    self_review = browser.post(
        f"/notes/settings/supervision/{supervisor.pk}/", {"supervisor": supervisor.pk, "mode": "all"}
    )
    assert self_review.status_code == 200
