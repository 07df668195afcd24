import pytest

from clients.tests.factories import create_client
from measures.instruments.models import Instrument
from tenancy.context import tenant_context


@pytest.fixture
def chart(org, clinician):
    """A client on ``clinician``'s caseload, reachable by email and text."""
    return create_client(
        org,
        primary=clinician,
        email="jordan@example.test",
        phone="(555) 201-3344",
        consent_to_email=True,
        consent_to_text=True,
    )


@pytest.fixture
def phq9(db):
    return Instrument.objects.get(key="phq9")


@pytest.fixture
def give(org, django_capture_on_commit_callbacks):
    """``give(record, instrument, answers, actor=…, method=…)`` through the service, running its on-commit work."""
    from measures.administrations import services

    def run(record, instrument, answers, actor=None, method="in_session", **kwargs):
        with tenant_context(org), django_capture_on_commit_callbacks(execute=True):
            return services.record_administration(
                record, instrument, answers=answers, method=method, actor=actor, **kwargs
            )

    return run


def phq9_post(answers):
    return {f"item_{i}": "" if a is None else str(a) for i, a in enumerate(answers, start=1)}
