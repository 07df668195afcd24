"""core.versioning: a stale version is refused with nothing written; a current one applies and bumps; on
PostgreSQL the row lock makes two concurrent saves of the same version queue up, so only one wins."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from clients.programs.models import Program
from core.errors import ConflictError
from core.versioning import VersionedModel, lock_version, save_version, versioned_update
from tenancy.context import tenant_context
from tenancy.models import Location, Organization


@pytest.fixture
def site(in_clinic) -> Location:
    return Location.objects.create(name="Main office", is_telehealth=True, place_of_service="02", city="Peoria")


def _updates(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def test_a_current_version_applies_the_changes_bumps_it_and_saves_only_those_fields(site):
    stale_copy = Location.objects.get(pk=site.pk)
    stale_copy.name = "Renamed in memory only"
    with CaptureQueriesContext(connection) as queries:
        saved = versioned_update(stale_copy, expected_version=1, changes={"city": "Joliet"})
    assert (saved.city, saved.version) == ("Joliet", 2)
    site.refresh_from_db()
    assert (site.name, site.city, site.version) == ("Main office", "Joliet", 2)
    [update] = _updates(queries)
    assert '"city"' in update and '"version"' in update and '"name"' not in update


def test_a_stale_version_raises_the_conflict_and_writes_nothing(site):
    versioned_update(site, expected_version=1, changes={"city": "Joliet"})
    with CaptureQueriesContext(connection) as queries, pytest.raises(ConflictError) as raised:
        versioned_update(site, expected_version=1, changes={"city": "Aurora"}, noun="location", verb="saved")
    assert raised.value.message == (
        "Someone else saved this location while you were editing. Your changes were not saved; "
        "reload to see theirs, then make yours again."
    )
    assert raised.value.changes == []
    assert _updates(queries) == []
    site.refresh_from_db()
    assert (site.city, site.version) == ("Joliet", 2)


def test_the_conflict_lists_what_changed_when_the_record_keeps_a_history(site):
    seen = []

    def changes_since(current, version):
        seen.append((current.version, version))
        return ["Alice changed the city"]

    versioned_update(site, expected_version=1, changes={"city": "Joliet"})
    with pytest.raises(ConflictError) as raised:
        lock_version(site, expected_version=1, noun="location", changes_since=changes_since)
    assert seen == [(2, 1)]
    assert raised.value.changes == ["Alice changed the city"]
    assert raised.value.message.startswith("Someone else changed this location while you were editing it")
    assert "Here is what changed" in raised.value.message


def test_a_failed_check_saves_nothing(site):
    def check(current):
        raise ValidationError({"city": f"{current.city} is not served."})

    with pytest.raises(ValidationError, match="Aurora is not served"):
        versioned_update(site, expected_version=1, changes={"city": "Aurora"}, check=check)
    site.refresh_from_db()
    assert (site.city, site.version) == ("Peoria", 1)


def test_a_queryset_target_keeps_its_joins_and_the_clinic_filter(site, other_org):
    queryset = Location.objects.select_related("organization").filter(pk=site.pk)
    current = lock_version(queryset, expected_version=1)
    assert current.organization.slug == "riverside"
    with tenant_context(other_org), pytest.raises(Location.DoesNotExist):
        lock_version(site, expected_version=1)


def test_save_version_bumps_a_locked_row_step_by_step(site):
    current = lock_version(site, expected_version=1)
    save_version(current, {"is_active": False})
    save_version(current, {"is_active": True})
    site.refresh_from_db()
    assert (site.is_active, site.version) == (True, 3)


def test_the_base_field_is_the_one_the_tenancy_models_declare():
    base = VersionedModel._meta.get_field("version").deconstruct()[1:]
    for model in (Program, Location, Organization):
        assert model._meta.get_field("version").deconstruct()[1:] == base


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_of_the_same_version_cannot_both_win():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks (SELECT … FOR UPDATE); set DATABASE_URL=postgres://… to run")
    org = Organization.objects.create(name="Riverside Counseling", slug="riverside")
    with tenant_context(org):
        site = Location.objects.create(name="Main office", is_telehealth=True, place_of_service="02")
    first_locked, release = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def save(name: str, city: str, hold: bool) -> None:
        try:
            with tenant_context(org), transaction.atomic():
                versioned_update(site, expected_version=1, changes={"city": city})
                if hold:  # keep the row locked, uncommitted, while the other save starts
                    first_locked.set()
                    release.wait(10)
            outcomes[name] = "saved"
        except ConflictError as error:
            outcomes[name] = error
        finally:
            connection.close()

    first = threading.Thread(target=save, args=("first", "Joliet", True))
    first.start()
    assert first_locked.wait(10)
    second = threading.Thread(target=save, args=("second", "Aurora", False))
    second.start()
    second.join(0.5)
    assert second.is_alive(), "the second save must wait for the first one's lock"
    release.set()
    first.join(10)
    second.join(10)
    assert outcomes["first"] == "saved"
    assert isinstance(outcomes["second"], ConflictError)
    site = Location.all_tenants.get(pk=site.pk)
    assert (site.city, site.version) == ("Joliet", 2)
