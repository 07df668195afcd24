"""Client search: reading the query, matching on both databases, typo tolerance on PostgreSQL, permissions."""

import datetime
import importlib
import logging
import re
import uuid
from html import unescape

import pytest
from django.apps import apps
from django.db import ProgrammingError, connection, transaction
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditEvent
from clients.care_team.models import CareTeamMember
from clients.records import search, services, views
from clients.records.models import Client
from clients.records.search import fold, parse_query, search_name_for
from conftest import rls_queries
from tenancy import rls
from tenancy.context import tenant_context

TODAY = datetime.date(2026, 11, 23)


def _text(response) -> str:
    return unescape(response.content.decode())


def _find(client, q: str, **extra) -> str:
    return _text(client.post("/clients/", {"q": q, **extra}))


# --- Reading the query (no database) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("José", "jose"),
        ("MÜLLER", "muller"),
        ("Nguyễn", "nguyen"),
        ("Łukasz Wiśniewski", "lukasz wisniewski"),
        ("Søren Østergaard", "soren ostergaard"),
        ("Straße", "strasse"),
        ("Adébáyọ̀", "adebayo"),
        ("Ó Súilleabháin", "o suilleabhain"),
    ],
)
def test_fold_removes_case_and_accents(typed, folded):
    assert fold(typed) == folded


def test_names_are_stored_split_and_joined():
    assert search_name_for("Seán", "O'Brien", "") == " sean o brien obrien "
    stored = search_name_for("María José", "García López", "Majo")
    assert stored == " maria jose mariajose garcia lopez garcialopez majo "
    assert search_name_for("", "", "") == ""


@pytest.mark.parametrize(
    ("typed", "born"),
    [
        ("1990-04-12", datetime.date(1990, 4, 12)),
        ("1990/4/12", datetime.date(1990, 4, 12)),
        ("04/12/1990", datetime.date(1990, 4, 12)),
        ("4/12/1990", datetime.date(1990, 4, 12)),
        ("4-12-1990", datetime.date(1990, 4, 12)),
        ("4.12.1990", datetime.date(1990, 4, 12)),
        ("4/12/90", datetime.date(1990, 4, 12)),
        ("4/12/15", datetime.date(2015, 4, 12)),
        ("11/23/26", datetime.date(2026, 11, 23)),  # today is not in the future
        ("12/30/26", datetime.date(1926, 12, 30)),  # 2026-12-30 would be: the century before
        ("2/29/00", datetime.date(2000, 2, 29)),
    ],
)
def test_birth_dates_in_common_formats(typed, born):
    query = parse_query(typed, today=TODAY)
    assert query.birth_date == born
    assert not query.words and not query.digits and not query.problem


@pytest.mark.parametrize("typed", ["2/30/1990", "13/01/1990", "1990-02-30", "0/12/90"])
def test_impossible_dates_explain_themselves(typed):
    query = parse_query(typed, today=TODAY)
    assert query.birth_date is None
    assert f"“{typed}” is not a date" in query.problem


def test_two_different_dates_are_refused():
    assert parse_query("4/12/90 5/1/91", today=TODAY).problem == "Enter one date of birth at a time."


@pytest.mark.parametrize(
    ("typed", "number", "phone"),
    [
        ("1042", 1042, ""),
        ("555-0142", 5550142, "5550142"),
        ("(312) 555-0142", None, "3125550142"),
        ("312.555.0142", None, "3125550142"),
        ("+1 312 555 0142", None, "3125550142"),
        ("1-312-555-0142", None, "3125550142"),
        ("12", 12, ""),
    ],
)
def test_digits_are_a_client_number_or_a_phone(typed, number, phone):
    query = parse_query(typed, today=TODAY)
    assert (query.number, query.phone) == (number, phone)
    assert not query.words and query.birth_date is None


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("O'Brien", ("obrien",)),
        ("o’brien", ("obrien",)),
        ("  José   GARCÍA ", ("jose", "garcia")),
        ("Rivers, Jordan", ("rivers", "jordan")),
        ("Smith-Jones", ("smith", "jones")),
        ("jo jo", ("jo",)),
    ],
)
def test_name_words_are_folded(typed, words):
    assert parse_query(typed, today=TODAY).words == words


def test_words_a_date_and_digits_combine():
    query = parse_query("Rivers 4/12/90", today=TODAY)
    assert query.words == ("rivers",) and query.birth_date == datetime.date(1990, 4, 12)


def test_an_empty_query_is_no_search():
    assert not parse_query("   ", today=TODAY)
    assert not parse_query("", today=TODAY)
    assert len(parse_query("a" * 500, today=TODAY).words[0]) == search.MAX_QUERY_LENGTH


# --- Matching through the page, on both databases -----------------------------------------------------------


@pytest.fixture
def people(org, make_chart_client):
    """A small clinic whose names exercise accents, apostrophes, preferred names and phones."""
    return {
        "jose": make_chart_client(org, "José", "García López", phone="(312) 555-0142"),
        "muller": make_chart_client(org, "Anneliese", "Müller", born=datetime.date(1975, 1, 2)),
        "obrien": make_chart_client(org, "Seán", "O'Brien"),
        "obrien2": make_chart_client(org, "Niamh", "OBrien"),
        "jay": make_chart_client(org, "Jordan", "Rivers", preferred_name="Jay"),
        "ana": make_chart_client(org, "Anabel", "Cruz"),
        "ana2": make_chart_client(org, "Ana", "Silva"),
    }


def test_names_match_without_case_or_accents(org, front_desk, people, clinic_client):
    client = clinic_client(org, front_desk)
    for typed in ("jose", "JOSÉ", "garcia", "GARC", "lopez jose", "José García"):
        assert "José García López" in _find(client, typed), typed
    assert "Anneliese Müller" in _find(client, "muller")
    assert "Anneliese Müller" in _find(client, "anne MUL")
    assert "José García López" not in _find(client, "muller")


def test_apostrophes_in_either_place(org, front_desk, people, clinic_client):
    client = clinic_client(org, front_desk)
    for typed in ("O'Brien", "obrien", "o brien", "brien"):
        assert "Seán O'Brien" in _find(client, typed), typed
    for typed in ("O'Brien", "obrien"):
        assert "Niamh OBrien" in _find(client, typed), typed


def test_preferred_and_legal_names(org, front_desk, people, clinic_client):
    client = clinic_client(org, front_desk)
    by_preferred = _find(client, "jay")
    assert "Jay Rivers" in by_preferred and "Legal name: Jordan Rivers" in by_preferred
    assert "Jay Rivers" in _find(client, "jordan riv")


def test_whole_words_rank_before_word_starts(org, front_desk, people, clinic_client):
    body = _find(clinic_client(org, front_desk), "ana")
    assert body.index("Ana Silva") < body.index("Anabel Cruz")


def test_client_number_birth_date_and_phone(org, front_desk, people, clinic_client):
    client = clinic_client(org, front_desk)
    number = _find(client, str(people["muller"].number))
    assert "Anneliese Müller" in number and "1 client found" in number
    for typed in ("1975-01-02", "01/02/1975", "1/2/75"):
        body = _find(client, typed)
        assert "Anneliese Müller" in body and "1 client found" in body, typed
    for typed in ("3125550142", "(312) 555-0142", "555-0142", "+1 312 555 0142"):
        body = _find(client, typed)
        assert "José García López" in body and "1 client found" in body, typed
    assert "0 clients found" in _find(client, "9999999")


def test_name_and_birth_date_together(org, front_desk, people, make_chart_client, clinic_client):
    make_chart_client(org, "Anneliese", "Muller", born=datetime.date(1980, 5, 5))
    body = _find(clinic_client(org, front_desk), "muller 1/2/75")
    assert "1 client found" in body and "Jan 2, 1975" in body


def test_an_impossible_date_gets_a_message_not_an_error(org, front_desk, people, clinic_client):
    response = clinic_client(org, front_desk).post("/clients/", {"q": "2/30/1990"})
    assert response.status_code == 200
    assert "“2/30/1990” is not a date" in _text(response)
    assert "0 clients found" in _text(response)


def test_exact_client_number_ranks_before_a_phone(org, front_desk, make_chart_client, clinic_client):
    by_phone = make_chart_client(org, "Phone", "Match", phone="555-123-4567")
    by_number = make_chart_client(org, "Number", "Match")
    with tenant_context(org):
        Client.objects.filter(pk=by_number.pk).update(number=1234567)
    client = clinic_client(org, front_desk)
    for typed in ("1234567", "match 1234567"):
        body = _find(client, typed)
        assert "2 clients found" in body, typed
        assert body.index("Number Match") < body.index("Phone Match") and by_phone, typed


def test_search_fields_follow_edits(org, front_desk, people, clinic_client):
    jose = people["jose"]
    with tenant_context(org):
        services.update_demographics(
            jose,
            actor=front_desk,
            expected_version=jose.version,
            changes={"legal_last_name": "Ibáñez", "phone": "212-555-0199"},
        )
    client = clinic_client(org, front_desk)
    assert "José Ibáñez" in _find(client, "ibanez")
    assert "José Ibáñez" not in _find(client, "garcia")
    assert "José Ibáñez" in _find(client, "2125550199")


def test_the_migration_fills_existing_clients(org, people):
    with tenant_context(org):
        Client.objects.update(search_name="", phone_digits="")
    migration = importlib.import_module("clients.migrations.0005_search")
    migration.fill_search_fields(apps, None)
    jose = Client.all_tenants.get(pk=people["jose"].pk)
    assert jose.search_name == " jose garcia lopez garcialopez "
    assert jose.phone_digits == "3125550142"


def test_results_page_through_by_post(org, front_desk, make_chart_client, clinic_client):
    for i in range(30):
        make_chart_client(org, "Robin", f"Name{i:02d}")
    client = clinic_client(org, front_desk)
    first = _find(client, "robin")
    # Nothing is counted: the first page knows only that more follow; the last page knows the total.
    assert "More than 25 clients found" in first and "Page 1" in first and 'name="page" value="2"' in first
    assert "Robin Name00" in first and "Robin Name25" not in first
    second = _find(client, "robin", page="2")
    assert "Robin Name29" in second and "Robin Name00" not in second
    assert "30 clients found" in second and 'name="page" value="1"' in second and 'value="3"' not in second
    assert "Robin Name00" in _find(client, "robin", page="9")  # past the end: back to the first page


def test_the_list_pages_without_counting(org, front_desk, make_chart_client, clinic_client):
    for i in range(27):
        make_chart_client(org, "Robin", f"Name{i:02d}")
    client = clinic_client(org, front_desk)
    first = _text(client.get("/clients/"))
    assert "Clients 1–25, by last name" in first and 'href="?page=2"' in first
    assert "Robin Name24" in first and "Robin Name25" not in first
    second = _text(client.get("/clients/", {"page": "2"}))
    assert "27 clients" in second and "Robin Name26" in second and "Robin Name24" not in second
    assert 'href="?page=1"' in second and "?page=3" not in second
    for bad in ("0", "-1", "x", "99"):
        assert "Clients 1–25" in _text(client.get("/clients/", {"page": bad})), bad


def test_live_search_returns_only_the_results(org, front_desk, people, clinic_client):
    response = clinic_client(org, front_desk).post("/clients/", {"q": "muller"}, HTTP_HX_REQUEST="true")
    body = _text(response)
    assert "Anneliese Müller" in body and "José" not in body
    assert "<html" not in body


def test_the_query_stays_out_of_urls_logs_and_the_audit_log(org, front_desk, people, clinic_client, caplog):
    client = clinic_client(org, front_desk)
    page = _text(client.get("/clients/"))
    assert 'method="post"' in page and 'data-hx-post="/clients/"' in page
    with caplog.at_level(logging.DEBUG):
        body = _find(client, "Müller 1/2/75")
    assert "Anneliese Müller" in body
    assert not [r for r in caplog.records if "ller" in r.getMessage() or "1/2/75" in r.getMessage()]
    assert not AuditEvent.objects.filter(action__startswith="client.").exists()
    # A query string is ignored rather than searched, so links with names in them are of no use.
    assert "José García López" in _text(client.get("/clients/", {"q": "muller"}))


def test_anonymous_search_goes_to_sign_in(org, clinic_client):
    response = clinic_client(org).post("/clients/", {"q": "rivers"})
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- Who finds whom -----------------------------------------------------------------------------------------


def test_a_clinician_finds_only_their_caseload(org, clinician, supervisor, make_chart_client, clinic_client):
    mine = make_chart_client(org, "Jordan", "Rivers", primary=clinician, born=datetime.date(1990, 4, 12))
    on_team = make_chart_client(org, "Jorge", "Rivera", primary=supervisor, born=datetime.date(1990, 4, 12))
    with tenant_context(org):
        CareTeamMember.objects.create(client=on_team, membership=clinician)
    hidden = make_chart_client(org, "Jordan", "Riversong", primary=supervisor, born=datetime.date(1990, 4, 12))
    client = clinic_client(org, clinician)
    assert "Jordan Rivers" in _find(client, str(mine.number))
    for typed in ("rivers", "jor", "1990-04-12", str(hidden.number), "jordan riversong"):
        assert "Riversong" not in _find(client, typed), typed
    body = _find(client, "jor riv")
    assert "Jordan Rivers" in body and "Jorge Rivera" in body and "2 clients found" in body
    assert clinician.user.full_name in body and supervisor.user.full_name in body  # the primary clinician column
    assert f'href="{reverse("clients:chart", args=[mine.pk])}"' in body


def test_another_clinics_clients_never_appear(
    org, other_org, front_desk, make_member, make_chart_client, clinic_client
):
    theirs = make_chart_client(other_org, "Jordan", "Rivers", phone="(312) 555-0142")
    make_chart_client(org, "Sky", "Lee")
    client = clinic_client(org, front_desk)
    for typed in ("jordan rivers", "rivers", "1990-04-12", "3125550142", str(theirs.number)):
        assert "Jordan Rivers" not in _find(client, typed), typed
    other_desk = make_member(other_org, "odesk", Role.FRONT_DESK)
    assert "Jordan Rivers" in _find(clinic_client(other_org, other_desk), "rivers")


def test_entered_in_error_clients_are_not_found(org, front_desk, make_chart_client, clinic_client):
    mistake = make_chart_client(org, "Jordan", "Rivers", phone="(312) 555-0142")
    make_chart_client(org, "Jordan", "Rivers")
    with tenant_context(org):
        Client.objects.filter(pk=mistake.pk).update(status="entered_in_error")
    client = clinic_client(org, front_desk)
    assert "1 client found" in _find(client, "jordan rivers")
    for typed in ("3125550142", str(mistake.number)):
        assert "0 clients found" in _find(client, typed), typed


# --- PostgreSQL: typos, and the functions behind them ---------------------------------------------------------


@pytest.fixture
def trigram_db(db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "typo tolerance uses PostgreSQL's pg_trgm; SQLite has no trigram matching (DATABASE_URL=postgres://…)"
        )


def test_misspelled_names_are_found_on_postgresql(trigram_db, org, front_desk, make_chart_client, clinic_client):
    make_chart_client(org, "Jordan", "Rivers")
    make_chart_client(org, "Jorge", "Rivera")
    make_chart_client(org, "Sky", "Lee")
    client = clinic_client(org, front_desk)
    for typed in ("Jordna Rivres", "Rivrs", "jordan rivres", "Jordan Rievrs"):
        body = _find(client, typed)
        assert "Jordan Rivers" in body and "Sky Lee" not in body, typed
    ranked = _find(client, "rivers")
    assert ranked.index("Jordan Rivers") < ranked.index("Jorge Rivera")


def test_typos_need_postgresql(db, org, front_desk, make_chart_client, clinic_client):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's behaviour: PostgreSQL finds typos (see the test above)")
    make_chart_client(org, "Jordan", "Rivers")
    assert "0 clients found" in _find(clinic_client(org, front_desk), "Rivrs")


def test_matching_functions_answer_only_for_the_clinic_in_context(trigram_db, org, other_org, make_chart_client):
    """They run past row-level security, so their own clinic filter is all that separates clinics."""
    ours = make_chart_client(org, "Jordan", "Rivers", phone="(312) 555-0142")
    theirs = make_chart_client(other_org, "Jordan", "Rivers", phone="(312) 555-0142")

    def names(scope=None) -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT hearth_client_name_matches(%s, %s, %s, 0.4, 25, 200, %s::bigint[])",
                ["rivrs", ["% rivrs%"], ["% rivrs %"], scope],
            )
            return {row[0] for row in cursor.fetchall()}

    def phones() -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT hearth_client_phone_matches(%s)", ["5550142"])
            return {row[0] for row in cursor.fetchall()}

    with tenant_context(org):
        assert names() == phones() == {ours.pk}
        assert names(scope=[theirs.pk]) == set()  # a scope never reaches past the clinic
    with tenant_context(other_org):
        assert names() == phones() == {theirs.pk}
    assert names() == phones() == set()  # no clinic in context: nothing


def test_pages_list_clients_in_the_functions_order(
    trigram_db, org, front_desk, make_chart_client, clinic_client, monkeypatch
):
    """Pages keep the function's ranking (whole words, word starts, then close spellings closest first) and
    continue it from page to page."""
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    names = [("Jordan", "Rives"), ("Jordana", "Rivers"), ("Jordan", "Rivers"), ("Jo", "Rivers"), ("Jorden", "Rivers")]
    names += [("Jordan", "Rivera"), ("Jordan", "Riverside"), ("Sky", "Lee"), ("Jordan", "Rivers")]
    for first, last in names:
        make_chart_client(org, first, last)
    with tenant_context(org), connection.cursor() as cursor:
        cursor.execute(
            "SELECT hearth_client_name_matches(%s, %s, %s, 0.4, 25, 200, NULL)",
            ["jordan rivers", ["% jordan%", "% rivers%"], ["% jordan %", "% rivers %"]],
        )
        ranked = [row[0] for row in cursor.fetchall()]
    assert len(ranked) >= 6  # whole words, word starts and close spellings all take part
    client = clinic_client(org, front_desk)
    listed = []
    for page in range(1, 8):
        body = _find(client, "jordan rivers", page=str(page))
        listed += [int(pk) for pk in re.findall(r'href="/clients/(\d+)/"', body)]
        if len(listed) >= len(ranked):
            break
    assert listed == ranked


def test_matching_functions_are_executable_only_by_the_request_role(trigram_db, settings):
    """They read every clinic's clients as the tables' owner: no other database role may call them."""
    signatures = {
        "hearth_client_name_matches(text,text[],text[],real,integer,integer,bigint[])",
        "hearth_client_phone_matches(text)",
    }
    with connection.cursor() as cursor:
        assert signatures <= set(rls.definer_functions(cursor))
        for signature in signatures:
            cursor.execute(
                "SELECT has_function_privilege('public', %s, 'EXECUTE'), has_function_privilege(%s, %s, 'EXECUTE')",
                [signature, settings.HEARTH_DB_APP_ROLE, signature],
            )
            assert cursor.fetchone() == (False, True), signature
        other = f"hearth_test_{uuid.uuid4().hex[:12]}"  # rolled back with the test's transaction
        cursor.execute(f"CREATE ROLE {other} NOLOGIN")
        for call in (
            "SELECT hearth_client_phone_matches('5550142')",
            "SELECT hearth_client_name_matches('rivrs', '{}', '{}', 0.4, 25, 26, NULL)",
        ):
            with pytest.raises(ProgrammingError, match="permission denied for function"), transaction.atomic():
                cursor.execute(f"SET LOCAL ROLE {other}")
                cursor.execute(call)


def test_a_long_list_keeps_the_best_matches(
    trigram_db, org, front_desk, clinician, make_chart_client, clinic_client, monkeypatch
):
    """The cap keeps whole words first, and applies within a clinician's caseload, not the whole clinic."""
    monkeypatch.setattr(search, "RESULT_CAP", 3)
    for last in ("Adams", "Baker", "Cruz", "Diaz"):
        make_chart_client(org, "Robinson", last)
    make_chart_client(org, "Robin", "Young")
    make_chart_client(org, "Robin", "Zimmer", primary=clinician)
    make_chart_client(org, "Robina", "Zeller", primary=clinician)
    body = _find(clinic_client(org, front_desk), "robin")
    assert "Many clients match: the best 3 are listed" in body
    assert body.index("Robin Young") < body.index("Robin Zimmer") < body.index("Robinson Adams")
    assert "Robinson Baker" not in body and "Robina Zeller" not in body
    mine = _find(clinic_client(org, clinician), "robin")
    assert "Robin Zimmer" in mine and "Robina Zeller" in mine and "2 clients found" in mine


# --- Query budget -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 40])
def test_list_and_search_query_counts_do_not_grow(
    count, org, front_desk, clinician, make_chart_client, clinic_client, django_assert_max_num_queries
):
    for i in range(count):
        make_chart_client(org, f"Robin{i}", "Rivers", primary=clinician if i % 2 else None, phone=f"555-01{i:02d}")
    for member in (front_desk, clinician):
        client = clinic_client(org, member)
        client.get("/")
        # clinic, session, user, membership, roles, one page (never a count): the same for 5 clients as for 40
        with django_assert_max_num_queries(6 + rls_queries()):
            assert client.get("/clients/").status_code == 200
        for typed in ("robin rivers", "rivrs", "5550101", "1990-04-12"):
            budget = 6 + rls_queries()
            if connection.vendor == "postgresql" and typed[0].isalpha():
                # a name search asks the matching function for the page's ids first (a clinician's caseload goes
                # in as a subquery of the same statement)
                budget += 1
            with django_assert_max_num_queries(budget):
                assert client.post("/clients/", {"q": typed}).status_code == 200
            with django_assert_max_num_queries(budget):
                assert client.post("/clients/", {"q": typed}, HTTP_HX_REQUEST="true").status_code == 200
