import pytest

from accounts.people.models import Membership, User
from tenancy.context import current_organization, tenant_context
from tenancy.models import CrossTenantWriteError, NoTenantError


def test_default_manager_sees_only_the_current_clinic(org, other_org, admin, outsider):
    with tenant_context(org):
        assert list(Membership.objects.all()) == [admin]
    with tenant_context(other_org):
        assert list(Membership.objects.all()) == [outsider]


def test_default_manager_sees_nothing_outside_a_clinic(admin, outsider):
    assert current_organization() is None
    assert Membership.objects.count() == 0
    assert Membership.all_tenants.count() == 2


def test_lookup_of_another_clinics_row_fails(org, outsider):
    with tenant_context(org), pytest.raises(Membership.DoesNotExist):
        Membership.objects.get(pk=outsider.pk)


def test_save_fills_the_clinic_from_context(org):
    user = User.objects.create_user(email="new@x.test", full_name="New Person")
    with tenant_context(org):
        membership = Membership.objects.create(user=user, username="newbie")
    assert membership.organization_id == org.pk


def test_save_into_another_clinic_is_refused(org, other_org):
    user = User.objects.create_user(email="new@x.test", full_name="New Person")
    with tenant_context(org), pytest.raises(CrossTenantWriteError):
        Membership(user=user, username="sneaky", organization=other_org).save()
    assert Membership.all_tenants.filter(username="sneaky").count() == 0


def test_bulk_create_into_another_clinic_is_refused(org, other_org):
    user = User.objects.create_user(email="new@x.test", full_name="New Person")
    with tenant_context(org), pytest.raises(CrossTenantWriteError):
        Membership.objects.bulk_create([Membership(user=user, username="sneaky", organization=other_org)])


def test_save_without_any_clinic_is_refused(db):
    user = User.objects.create_user(email="new@x.test", full_name="New Person")
    with pytest.raises(NoTenantError):
        Membership(user=user, username="orphan").save()


def test_updating_another_clinics_row_through_the_orm_touches_nothing(org, outsider):
    with tenant_context(org):
        assert Membership.objects.filter(pk=outsider.pk).update(title="hijacked") == 0
    outsider.refresh_from_db()
    assert outsider.title == ""


def test_nested_contexts_restore_the_outer_clinic(org, other_org):
    with tenant_context(org):
        with tenant_context(other_org):
            assert current_organization() == other_org
        assert current_organization() == org
    assert current_organization() is None


def test_bulk_create_accepts_a_generator(org):
    users = [User.objects.create_user(email=f"g{i}@x.test", full_name="G") for i in range(3)]
    with tenant_context(org):
        Membership.objects.bulk_create(Membership(user=u, username=f"g{i}") for i, u in enumerate(users))
        assert Membership.objects.count() == 3
