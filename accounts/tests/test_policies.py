import pytest

from accounts import policies
from accounts.roles import Role
from tenancy.context import tenant_context


@pytest.fixture
def everyone(org, admin, clinician, supervisor, front_desk, billing, champion):
    return {
        "admin": admin,
        "clinician": clinician,
        "supervisor": supervisor,
        "front_desk": front_desk,
        "billing": billing,
        "champion": champion,
    }


@pytest.mark.parametrize(
    "rule",
    [
        policies.can_view_staff,
        policies.can_invite_staff,
        policies.can_edit_clinic_settings,
        policies.can_view_sign_in_history,
        policies.can_configure_sso,
    ],
)
def test_only_administrators_manage_staff_and_settings(rule, org, everyone):
    with tenant_context(org):
        allowed = {name for name, member in everyone.items() if rule(member)}
    assert allowed == {"admin"}


def test_nobody_signed_out_may_do_anything(org):
    assert not policies.can_view_staff(None)
    assert not policies.can_invite_staff(None)


def test_an_inactive_administrator_may_not(org, make_member):
    former = make_member(org, "former", Role.ADMINISTRATOR, active=False)
    with tenant_context(org):
        assert not policies.can_view_staff(former)


def test_administrators_edit_staff_of_their_own_clinic_only(org, admin, clinician, outsider):
    with tenant_context(org):
        assert policies.can_edit_staff(admin, clinician)
        assert not policies.can_edit_staff(admin, outsider)
        assert not policies.can_edit_staff(clinician, admin)


def test_administrators_cannot_deactivate_themselves(org, admin, clinician):
    with tenant_context(org):
        assert policies.can_deactivate_staff(admin, clinician)
        assert not policies.can_deactivate_staff(admin, admin)
        assert not policies.can_deactivate_staff(clinician, admin)


def test_roles_combine(org, make_member):
    both = make_member(org, "duo", Role.CLINICIAN, Role.ADMINISTRATOR)
    with tenant_context(org):
        assert both.has_role(Role.CLINICIAN) and both.has_role(Role.ADMINISTRATOR)
        assert policies.can_view_staff(both)


def test_administrators_set_temporary_passwords_for_others_only(org, admin, clinician, outsider):
    with tenant_context(org):
        assert policies.can_set_temporary_password(admin, clinician)
        assert not policies.can_set_temporary_password(admin, admin)
        assert not policies.can_set_temporary_password(clinician, admin)
        assert not policies.can_set_temporary_password(admin, outsider)
