"""The bare domain: the demo clinics under `make run`, a plain refusal elsewhere, no traceback for a bad host."""

import io
import logging

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from accounts.demo import DEMO_PASSWORD, DEMO_STAFF


@pytest.fixture
def security_log():
    """What the console shows for ``django.security`` records, formatted as under `make run`."""
    handler = next(h for h in logging.getLogger("django.security").handlers if isinstance(h, logging.StreamHandler))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_loopback_address_lists_the_demo_clinics_and_logins(db, settings):
    settings.HEARTH_PUBLIC_PORT = "8000"
    call_command("load_demo", stdout=io.StringIO())
    response = Client(HTTP_HOST="127.0.0.1:8000").get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="http://demo.localhost:8000/login/"' in body
    assert 'href="http://lakeside.localhost:8000/login/"' in body
    assert DEMO_PASSWORD in body
    for person in DEMO_STAFF:
        assert f"<code>{person.username}</code>" in body
    assert 'href="http://support.localhost:8000/login/"' in body


def test_bare_localhost_before_the_demo_is_loaded_says_how_to_load_it(db):
    body = Client(HTTP_HOST="localhost:8000").get("/").content.decode()
    assert "load_demo" in body


@override_settings(HEARTH_BASE_DOMAIN="hearth.example.com", ALLOWED_HOSTS=["hearth.example.com", ".hearth.example.com"])
def test_in_production_the_bare_domain_shows_no_demo_and_an_address_is_refused_without_traceback(db, security_log):
    call_command("load_demo", stdout=io.StringIO())
    body = Client(HTTP_HOST="hearth.example.com").get("/").content.decode()
    assert "yourclinic.hearth.example.com" in body
    assert DEMO_PASSWORD not in body and "demo." not in body
    response = Client(HTTP_HOST="127.0.0.1:8000").get("/")
    assert response.status_code == 400
    log = security_log.getvalue()
    assert "Invalid HTTP_HOST header" in log
    assert "Traceback" not in log


def test_forged_host_is_logged_on_one_line(db, security_log):
    response = Client(HTTP_HOST="evil.example.com").get("/")
    assert response.status_code == 400
    log = security_log.getvalue()
    assert "DisallowedHost" in log and "Traceback" not in log
    assert len(log.strip().splitlines()) == 1
