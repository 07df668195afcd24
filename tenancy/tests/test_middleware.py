from django.test import Client

from audit.models import AuditEvent


def test_unknown_clinic_gets_a_friendly_404_without_clinic_data(org, admin):
    response = Client(HTTP_HOST="nosuchclinic.localhost").get("/login/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "couldn't find that clinic" in body
    assert org.name not in body


def test_bare_domain_explains_clinic_addresses(db):
    response = Client(HTTP_HOST="localhost").get("/")
    assert response.status_code == 200
    assert "yourclinic.localhost" in response.content.decode()


def test_forged_host_header_is_refused_and_audited(db):
    response = Client(HTTP_HOST="evil.example.com").get("/login/")
    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()
    event = AuditEvent.objects.get(action="security.DisallowedHost")
    assert event.organization is None
    assert event.chain_key == "system"
    assert event.outcome == "denied"


def test_health_check_answers_without_a_clinic(db):
    response = Client(HTTP_HOST="localhost").get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_each_clinic_is_served_at_its_own_host(org, other_org, clinic_client):
    assert org.name in clinic_client(org).get("/login/").content.decode()
    other = clinic_client(other_org).get("/login/").content.decode()
    assert other_org.name in other
    assert org.name not in other
