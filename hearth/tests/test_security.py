import pytest
from django.conf import settings
from django.test import Client
from django.urls import path

from audit.models import AuditEvent
from hearth import urls as hearth_urls


def test_security_headers_on_every_page(org, clinic_client):
    response = clinic_client(org).get("/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response  # plain HTTP: HSTS would be meaningless


def test_hsts_over_https(org, clinic_client):
    response = clinic_client(org).get("/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_unknown_clinic_page_has_the_same_headers(db):
    response = Client(HTTP_HOST="ghost.localhost").get("/")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_cookies_are_secure_httponly_and_samesite(org, admin, clinic_client):
    client = clinic_client(org)
    client.get("/login/")
    client.post("/login/", {"username": "alice", "password": "Correct-Horse-42!"})
    for name in ("sessionid", "csrftoken"):
        morsel = client.cookies[name]
        assert morsel["secure"] is True
        assert morsel["httponly"] is True
        assert morsel["samesite"] == "Lax"


def test_passwords_are_hashed_with_argon2_in_production_settings():
    import hearth.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_missing_csrf_token_is_refused_with_a_page_and_audited(org, admin):
    client = Client(HTTP_HOST="riverside.localhost", enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "alice", "password": "x"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    event = AuditEvent.objects.get(action="security.csrf")
    assert event.organization == org
    assert event.outcome == "denied"


def test_oversize_body_is_a_400_and_audited(org, admin, clinic_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = clinic_client(org).post("/login/", {"username": "a" * 5000, "password": "x"})
    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()
    assert AuditEvent.objects.filter(action="security.RequestDataTooBig", organization=org).exists()


def test_404_page_leaks_nothing(org, admin, clinic_client):
    response = clinic_client(org, admin).get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "couldn't find that page" in body
    assert "Traceback" not in body and "urlpatterns" not in body.lower()


def _boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("boom/", _boom), *hearth_urls.urlpatterns]


@pytest.mark.urls(__name__)
def test_500_page_leaks_nothing(org, admin):
    client = Client(HTTP_HOST="riverside.localhost", raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "secret internal detail" not in body


def test_debug_is_off_by_default():
    assert settings.DEBUG is False
