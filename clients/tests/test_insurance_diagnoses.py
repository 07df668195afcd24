import datetime
from html import unescape

import pytest

from audit.models import AuditEvent
from clients.diagnoses import icd
from clients.diagnoses.models import Diagnosis
from clients.insurance.models import InsurancePolicy, Payer
from clients.records.models import Client
from tenancy.context import tenant_context


def _text(response) -> str:
    return unescape(response.content.decode())


def _policy(payer, **changes) -> dict:
    data = {
        "payer": payer.pk,
        "order": 1,
        "member_id": "XZK123456789",
        "group_number": "G-100",
        "relationship": "self",
        "effective_date": "2026-01-01",
        "copay": "25.00",
    }
    data.update(changes)
    return data


# --- Payers --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [("front_desk", 200), ("billing", 200), ("admin", 200), ("clinician", 403)]
)
def test_payers_are_managed_by_front_desk_billing_and_admins(role, status, request, org, clinic_client):
    member = request.getfixturevalue(role)
    assert clinic_client(org, member).get("/clients/payers/").status_code == status


def test_front_desk_adds_and_edits_a_payer(org, front_desk, clinic_client):
    client = clinic_client(org, front_desk)
    data = {"name": "Blue Valley Health", "payer_id": "BVH01", "city": "Springfield"}
    assert client.post("/clients/payers/new/", data).status_code == 302
    duplicate = client.post("/clients/payers/new/", {**data, "name": "Other"})
    assert "already has this payer ID" in _text(duplicate)
    bad = client.post("/clients/payers/new/", {**data, "payer_id": "no spaces!"})
    assert "electronic payer id" in _text(bad)
    payer = Payer.all_tenants.get()
    stale = {**data, "version": payer.version}
    assert client.post(f"/clients/payers/{payer.pk}/edit/", {**stale, "city": "Peoria"}).status_code == 302
    conflict = client.post(f"/clients/payers/{payer.pk}/edit/", {**stale, "city": "Joliet"})
    assert "Someone else saved this payer" in _text(conflict)
    assert Payer.all_tenants.get().city == "Peoria"
    assert AuditEvent.objects.filter(action="payer.created").count() == 1


# --- Insurance policies --------------------------------------------------------------------------------------


def test_front_desk_adds_a_primary_policy_and_it_is_listed_and_audited(
    org, front_desk, make_chart_client, make_payer, clinic_client
):
    record = make_chart_client(org)
    payer = make_payer(org)
    client = clinic_client(org, front_desk)
    response = client.post(f"/clients/{record.pk}/insurance/new/", _policy(payer))
    assert response.status_code == 302
    listed = _text(client.get(f"/clients/{record.pk}/insurance/"))
    assert "Blue Valley Health" in listed and "XZK123456789" in listed and "Primary" in listed
    event = AuditEvent.objects.get(action="insurance.added")
    assert event.client_id == record.pk and event.actor == front_desk.user
    assert "XZK" not in str(event.detail)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"relationship": "spouse"}, "subscriber_first_name", "Required when the client is not the subscriber."),
        (
            {"relationship": "parent", "subscriber_first_name": "Ana", "subscriber_last_name": "Rivers"},
            "subscriber_date_of_birth",
            "Required when the client is not the subscriber.",
        ),
        ({"end_date": "2025-12-31"}, "end_date", "The end date can't be before the effective date."),
        ({"member_id": ""}, "member_id", "Enter the member ID from the insurance card."),
        ({"copay": "-5"}, "copay", "greater than or equal to 0"),
        ({"effective_date": "31/31/2026"}, "effective_date", "Enter a valid date."),
    ],
)
def test_bad_policy_input_gets_a_clear_message(
    changes, field, message, org, front_desk, make_chart_client, make_payer, clinic_client
):
    record = make_chart_client(org)
    payer = make_payer(org)
    response = clinic_client(org, front_desk).post(f"/clients/{record.pk}/insurance/new/", _policy(payer, **changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert InsurancePolicy.all_tenants.count() == 0


def test_a_subscribers_own_demographics_are_saved_when_not_self(
    org, billing, make_chart_client, make_payer, clinic_client
):
    record = make_chart_client(org)
    payer = make_payer(org)
    data = _policy(
        payer,
        relationship="parent",
        subscriber_first_name="Ana",
        subscriber_last_name="Rivers",
        subscriber_date_of_birth="1965-03-02",
    )
    assert clinic_client(org, billing).post(f"/clients/{record.pk}/insurance/new/", data).status_code == 302
    policy = InsurancePolicy.all_tenants.get()
    assert policy.subscriber_date_of_birth == datetime.date(1965, 3, 2)


def test_one_active_policy_per_order_until_it_is_ended(org, front_desk, make_chart_client, make_payer, clinic_client):
    record = make_chart_client(org)
    payer = make_payer(org)
    client = clinic_client(org, front_desk)
    client.post(f"/clients/{record.pk}/insurance/new/", _policy(payer))
    second = client.post(f"/clients/{record.pk}/insurance/new/", _policy(payer, member_id="OTHER1"))
    assert "already has an active policy in that position" in _text(second)
    policy = InsurancePolicy.all_tenants.get()
    early = client.post(f"/clients/{record.pk}/insurance/{policy.pk}/end/", {"version": 1, "end_date": "2025-01-01"})
    assert "can't be before the effective date" in _text(early)
    ended = client.post(f"/clients/{record.pk}/insurance/{policy.pk}/end/", {"version": 1, "end_date": "2026-06-30"})
    assert ended.status_code == 302
    assert client.post(f"/clients/{record.pk}/insurance/new/", _policy(payer, member_id="OTHER1")).status_code == 302
    assert list(InsurancePolicy.all_tenants.order_by("pk").values_list("is_active", flat=True)) == [False, True]
    assert AuditEvent.objects.get(action="insurance.ended").client_id == record.pk


def test_concurrent_policy_edits_do_not_overwrite_each_other(
    org, front_desk, billing, make_chart_client, make_payer, clinic_client
):
    record = make_chart_client(org)
    payer = make_payer(org)
    clinic_client(org, front_desk).post(f"/clients/{record.pk}/insurance/new/", _policy(payer))
    policy = InsurancePolicy.all_tenants.get()
    url = f"/clients/{record.pk}/insurance/{policy.pk}/edit/"
    stale = _policy(payer, version=policy.version)
    assert clinic_client(org, front_desk).post(url, {**stale, "group_number": "G-200"}).status_code == 302
    second = clinic_client(org, billing).post(url, {**stale, "group_number": "G-300"})
    assert "Someone else saved this policy" in _text(second)
    assert InsurancePolicy.all_tenants.get().group_number == "G-200"
    assert AuditEvent.objects.get(action="insurance.updated").detail == {"fields": ["group_number"]}


def test_self_pay_is_a_client_flag(org, front_desk, make_chart_client, clinic_client):
    record = make_chart_client(org)
    client = clinic_client(org, front_desk)
    assert client.post(f"/clients/{record.pk}/insurance/self-pay/", {"self_pay": "on"}).status_code == 302
    saved = Client.all_tenants.get(pk=record.pk)
    assert saved.self_pay and saved.version == record.version + 1
    assert AuditEvent.objects.get(action="client.self_pay_changed").client_id == record.pk


def test_clinicians_see_insurance_but_do_not_change_it(org, clinician, make_chart_client, make_payer, clinic_client):
    record = make_chart_client(org, primary=clinician)
    payer = make_payer(org)
    client = clinic_client(org, clinician)
    assert client.get(f"/clients/{record.pk}/insurance/").status_code == 200
    assert client.post(f"/clients/{record.pk}/insurance/new/", _policy(payer)).status_code == 403


def test_another_clinics_policy_is_a_404(org, other_org, front_desk, make_chart_client, make_payer, clinic_client):
    mine = make_chart_client(org)
    foreign_client = make_chart_client(other_org)
    foreign_payer = make_payer(other_org)
    with tenant_context(other_org):
        foreign = InsurancePolicy.objects.create(
            client=foreign_client, payer=foreign_payer, member_id="M1", effective_date=datetime.date(2026, 1, 1)
        )
    client = clinic_client(org, front_desk)
    assert client.get(f"/clients/{mine.pk}/insurance/{foreign.pk}/edit/").status_code == 404
    assert client.get(f"/clients/payers/{foreign_payer.pk}/edit/").status_code == 404
    assert AuditEvent.objects.filter(action="access.not_found", object_id=str(foreign.pk), organization=org).exists()


# --- Diagnoses -----------------------------------------------------------------------------------------------


def test_icd_search_returns_real_codes_by_code_and_words(org, clinician, clinic_client):
    client = clinic_client(org, clinician)
    by_code = _text(client.get("/clients/diagnosis-codes/", {"q": "F41.1"}))
    assert '<option value="F41.1">F41.1 Generalized anxiety disorder</option>' in by_code
    by_words = _text(client.get("/clients/diagnosis-codes/", {"code": "generalized anxiety"}))
    assert "F41.1" in by_words
    assert by_words.count("<option") <= icd.SEARCH_LIMIT
    assert by_code.count("<option") == 1  # F41.1 is a leaf; F41 (a category) is never offered
    category = _text(client.get("/clients/diagnosis-codes/", {"q": "F41"}))
    assert 'value="F41.0"' in category and 'value="F41"' not in category


def test_icd_lookups_accept_real_billable_codes_only():
    assert icd.billable_code("f411").code == "F41.1"
    assert icd.billable_code("F32.A").description == "Depression, unspecified"
    assert icd.billable_code("F43.10").description == "Post-traumatic stress disorder, unspecified"
    with pytest.raises(Exception, match="not billable"):
        icd.billable_code("F41")
    with pytest.raises(Exception, match="not an ICD-10-CM code"):
        icd.billable_code("F99.99")
    assert len(icd.search("depress")) == icd.SEARCH_LIMIT


def test_a_caseload_clinician_adds_a_primary_diagnosis(org, clinician, make_chart_client, clinic_client):
    record = make_chart_client(org, primary=clinician)
    client = clinic_client(org, clinician)
    response = client.post(
        f"/clients/{record.pk}/diagnoses/new/", {"code": "f41.1", "onset_date": "2026-02-01", "is_primary": "on"}
    )
    assert response.status_code == 302
    diagnosis = Diagnosis.all_tenants.get()
    assert (diagnosis.code, diagnosis.description) == ("F41.1", "Generalized anxiety disorder")
    listed = _text(client.get(f"/clients/{record.pk}/diagnoses/"))
    assert "Generalized anxiety disorder" in listed
    event = AuditEvent.objects.get(action="diagnosis.added")
    assert event.client_id == record.pk and "F41" not in str(event.detail)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "F99.99"}, "code", "is not an ICD-10-CM code"),
        ({"code": "Z99.999"}, "code", "is not an ICD-10-CM code"),
        ({"code": "F41"}, "code", "F41 (Other anxiety disorders) is not billable"),
        (
            {"code": "F32.A", "onset_date": "2026-03-01", "resolved_date": "2026-02-01"},
            "resolved_date",
            "The resolved date can't be before the onset date.",
        ),
    ],
)
def test_bad_diagnosis_input_gets_a_clear_message(
    data, field, message, org, clinician, make_chart_client, clinic_client
):
    record = make_chart_client(org, primary=clinician)
    response = clinic_client(org, clinician).post(f"/clients/{record.pk}/diagnoses/new/", data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Diagnosis.all_tenants.count() == 0


def test_at_most_one_active_primary_diagnosis(org, clinician, make_chart_client, clinic_client):
    record = make_chart_client(org, primary=clinician)
    client = clinic_client(org, clinician)
    url = f"/clients/{record.pk}/diagnoses/new/"
    assert client.post(url, {"code": "F41.1", "is_primary": "on"}).status_code == 302
    second = client.post(url, {"code": "F32.A", "is_primary": "on"})
    assert "F41.1 is already this client's primary diagnosis" in _text(second)
    assert client.post(url, {"code": "F32.A"}).status_code == 302
    first = Diagnosis.all_tenants.get(code="F41.1")
    resolve = {"code": "F41.1", "is_primary": "on", "onset_date": "2026-01-05", "resolved_date": "2026-05-01"}
    edit = client.post(f"/clients/{record.pk}/diagnoses/{first.pk}/edit/", {**resolve, "version": first.version})
    assert edit.status_code == 302
    depression = Diagnosis.all_tenants.get(code="F32.A")
    promoted = client.post(
        f"/clients/{record.pk}/diagnoses/{depression.pk}/edit/",
        {"code": "F32.A", "is_primary": "on", "version": depression.version},
    )
    assert promoted.status_code == 302
    assert AuditEvent.objects.filter(action="diagnosis.updated", client_id=record.pk).count() == 2


def test_diagnoses_are_clinical(
    org, front_desk, billing, admin, supervisor, clinician, make_chart_client, clinic_client
):
    record = make_chart_client(org, primary=supervisor)
    for member in (front_desk, billing, admin):
        client = clinic_client(org, member)
        assert client.get(f"/clients/{record.pk}/diagnoses/").status_code == 403
        assert client.post(f"/clients/{record.pk}/diagnoses/new/", {"code": "F41.1"}).status_code == 403
    outside = clinic_client(org, clinician)
    refused = outside.get(f"/clients/{record.pk}/diagnoses/")
    assert refused.status_code == 403 and "isn't on your caseload" in _text(refused)
    outside.post(f"/clients/{record.pk}/emergency-access/", {"reason": "Crisis call while Sue is away today"})
    assert outside.get(f"/clients/{record.pk}/diagnoses/").status_code == 200
    assert Diagnosis.all_tenants.count() == 0
