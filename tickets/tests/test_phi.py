"""The title check: each kind of PHI is named; ordinary titles pass."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tenancy.context import tenant_context
from tickets import phi

TODAY = datetime.date(2026, 11, 23)


def _kinds(title: str) -> list[str]:
    return [finding.kind for finding in phi.find_phi(title, TODAY)]


@pytest.mark.parametrize(
    ("title", "kind", "text"),
    [
        ("Call back at 555-123-4567 please", "a phone number", "555-123-4567"),
        ("Call back at (555) 123-4567", "a phone number", "(555) 123-4567"),
        ("Text +1 555 123 4567", "a phone number", "+1 555 123 4567"),
        ("SSN 123-45-6789 rejected", "an SSN", "123-45-6789"),
        ("Claim for 123456789 rejected", "an SSN", "123456789"),
        ("Email jordan.rivers@example.com bounced", "an email address", "jordan.rivers@example.com"),
        ("Born 04/12/1990 can't book", "a date that could be a birth date", "04/12/1990"),
        ("DOB 1990-04-12 wrong on claim", "a date that could be a birth date", "1990-04-12"),
        ("Wrong date 4/12/90 on statement", "a date that could be a birth date", "4/12/90"),
        ("Born April 12, 1990", "a date that could be a birth date", "April 12, 1990"),
        ("Born 12 Apr 1990", "a date that could be a birth date", "12 Apr 1990"),
    ],
)
def test_patterns_are_found_and_named(title, kind, text, in_clinic):
    findings = phi.find_phi(title, TODAY)
    assert [(f.kind, f.text) for f in findings] == [(kind, text)]


@pytest.mark.parametrize(
    "title",
    [
        "Printer on the second floor jams",
        "Billing page won't load after the update",
        "Claims batch 42 rejected by the clearinghouse",
        "Need 2 more licences by 2027",
        "Appointment reminders go out at 9:30",
        "Meeting moved to 12/31/2026",  # a date in the future is not a birth date
        "Version 5.2.19 upgrade",
    ],
)
def test_ordinary_titles_pass(title, in_clinic):
    assert phi.find_phi(title, TODAY) == []


def test_client_names_and_numbers_known_to_the_clinic(org, other_org, make_chart_client, in_clinic):
    jordan = make_chart_client(org, "Jordan", "Rivers", preferred_name="Jo")
    make_chart_client(org, "Ana", "de la Cruz")
    make_chart_client(org, "Mia", "Zbigniewski")
    make_chart_client(other_org, "Sky", "Okonkwo-Lee")

    assert _kinds("Jordan Rivers can't sign the consent") == ["a client's name"]
    assert _kinds("jo rivers: portal locked") == ["a client's name"]
    assert _kinds("Rivers, Jordan double-booked") == ["a client's name"]
    assert _kinds("Statement for Zbigniewski is wrong") == ["a client's surname"]
    assert _kinds("Statement for de la Cruz is wrong") == ["a client's surname"]
    assert _kinds(f"Client {jordan.number} statement wrong") == ["a client number"]
    assert _kinds(f"Statement #{jordan.number}") == ["a client number"]
    # Ordinary words stay usable even though a client's surname is one; other clinics' clients are not known here.
    assert _kinds("Rivers of paper from the printer") == []
    assert _kinds("Okonkwo-Lee statement") == []
    assert _kinds("Client 9999 statement wrong") == []


def test_the_message_names_what_was_found(org, make_chart_client, in_clinic):
    make_chart_client(org, "Jordan", "Rivers")
    with pytest.raises(ValidationError) as caught:
        phi.validate_title("Jordan Rivers: call 555-123-4567", TODAY)
    message = caught.value.messages[0]
    assert "Titles must not hold PHI" in message
    assert "a phone number (“555-123-4567”)" in message
    assert "a client's name (“Jordan Rivers”)" in message


def test_client_lookup_needs_the_clinic_context(org, make_chart_client):
    make_chart_client(org, "Jordan", "Rivers")
    assert phi.find_client_references("Jordan Rivers") == []  # fails closed: no clinic, no clients
    with tenant_context(org):
        assert phi.find_client_references("Jordan Rivers")
