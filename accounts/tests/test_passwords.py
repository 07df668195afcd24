from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.people.models import User
from audit.models import AuditEvent
from conftest import PASSWORD
from tenancy.context import tenant_context


def _errors(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-1a", "Use at least 12 characters."),
        ("alllowercase-123", "Include an upper-case letter."),
        ("ALLUPPERCASE-123", "Include a lower-case letter."),
        ("No-Digits-Here-At-All", "Include a digit."),
        ("NoSymbols1234567", "Include a symbol."),
        ("1234567890123", "This password is too common."),
    ],
)
def test_default_policy_rules(password, message, org):
    with tenant_context(org):
        assert message in _errors(password)


def test_a_good_password_passes(org, admin):
    with tenant_context(org):
        assert _errors("Quiet-Harbor-Lamp-84", admin.user) == []


def test_password_like_the_username_is_refused(org, make_member):
    member = make_member(org, "margaret.h", "clinician")
    with tenant_context(org):
        assert "Choose a password that is not similar to your username." in _errors("Margaret.H-2026!", member.user)


def test_the_clinic_sets_the_policy_and_the_strictest_clinic_wins(org, other_org, make_member):
    org.password_min_length = 16
    org.password_require_mixed = False
    org.save()
    solo = make_member(org, "solo", "clinician")
    with tenant_context(org):
        assert "Use at least 16 characters." in _errors("Quiet-Harbor-84", solo.user)
        assert _errors("quietharborlampxyz", solo.user) == []  # this clinic does not require a mix
    with tenant_context(other_org):  # acting for a clinic that does require a mix
        assert "Include an upper-case letter, a digit, a symbol." in _errors("quietharborlampxyz", solo.user)


def test_the_last_five_passwords_cannot_be_reused(org, admin):
    user = admin.user
    for n in range(6):
        user.set_password(f"Quiet-Harbor-Lamp-{n}!")
        user.save()
    with tenant_context(org):
        assert any("last 5 passwords" in m for m in _errors("Quiet-Harbor-Lamp-5!", user))
        assert any("last 5 passwords" in m for m in _errors("Quiet-Harbor-Lamp-1!", user))
        assert _errors("Quiet-Harbor-Lamp-0!", user) == []  # six changes ago


def test_a_forced_change_comes_before_anything_else(org, admin, clinician, clinic_client):
    client = clinic_client(org, admin)
    client.post(f"/staff/{clinician.pk}/temporary-password/", {"password": "Temporary-Pass-2026"})
    carol = User.objects.get(pk=clinician.user_id)
    assert carol.must_change_password
    assert AuditEvent.objects.filter(action="staff.temporary_password_set").exists()

    carol_client = clinic_client(org)
    response = carol_client.post("/login/", {"username": "carol", "password": "Temporary-Pass-2026"})
    assert response.status_code == 302
    assert carol_client.get("/").url == "/password/change/"
    assert carol_client.get("/staff/").url == "/password/change/"
    page = carol_client.get("/password/change/").content.decode()
    assert "Choose a new password" in page
    changed = carol_client.post(
        "/password/change/",
        {
            "old_password": "Temporary-Pass-2026",
            "new_password1": "Mine-Alone-Pass-77",
            "new_password2": "Mine-Alone-Pass-77",
        },
    )
    assert changed.status_code == 302
    assert carol_client.get("/").status_code == 200
    assert not User.objects.get(pk=clinician.user_id).must_change_password


def test_temporary_password_must_meet_the_policy(org, admin, clinician, clinic_client):
    response = clinic_client(org, admin).post(
        f"/staff/{clinician.pk}/temporary-password/", {"password": "weak"}, follow=True
    )
    assert "Use at least 12 characters." in response.content.decode()
    assert not User.objects.get(pk=clinician.user_id).must_change_password


def test_no_temporary_password_for_someone_who_works_at_another_clinic(
    org, other_org, admin, outsider, clinic_client, make_member
):
    with tenant_context(org):
        from accounts.people.models import Membership

        shared = Membership.objects.create(user=outsider.user, username="oscar")
    response = clinic_client(org, admin).post(
        f"/staff/{shared.pk}/temporary-password/", {"password": "Temporary-Pass-2026"}, follow=True
    )
    assert "also uses Hearth at another clinic" in response.content.decode()
    assert User.objects.get(pk=outsider.user_id).check_password(PASSWORD)


def test_administrators_cannot_set_their_own_temporary_password(org, admin, clinic_client):
    response = clinic_client(org, admin).post(f"/staff/{admin.pk}/temporary-password/", {"password": "X-1234567890ab"})
    assert response.status_code == 403


@pytest.mark.dated
def test_expired_passwords_must_be_changed_and_a_reminder_comes_first(org, admin, clinic_client):
    user = admin.user
    client = clinic_client(org, admin)
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=80))
    home = client.get("/").content.decode()
    assert "Your password expires in 9 days." in home
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    assert client.get("/").url == "/password/change/"
    org.password_expiry_days = 0
    org.save()
    assert client.get("/").status_code == 200
