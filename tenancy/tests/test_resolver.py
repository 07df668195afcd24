import pytest

from tenancy.resolver import clinic_url, organization_for_host, slug_from_host


@pytest.mark.parametrize(
    ("host", "slug"),
    [
        ("demo.localhost", "demo"),
        ("demo.localhost:8000", "demo"),
        ("DEMO.LocalHost:8000", "demo"),
        ("localhost:8000", None),
        ("a.b.localhost", None),
        ("demo.example.com", None),
        ("[::1]:8000", None),
    ],
)
def test_it_reads_the_clinic_slug_from_the_host(host, slug):
    assert slug_from_host(host) == slug


def test_it_finds_only_active_clinics(org):
    assert organization_for_host("riverside.localhost:8000") == org
    org.is_active = False
    org.save()
    assert organization_for_host("riverside.localhost:8000") is None


def test_it_builds_absolute_clinic_addresses(org, settings):
    settings.HEARTH_PUBLIC_SCHEME, settings.HEARTH_PUBLIC_PORT = "https", ""
    settings.HEARTH_BASE_DOMAIN = "hearth.example"
    assert clinic_url(org, "/login/") == "https://riverside.hearth.example/login/"
