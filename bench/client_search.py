"""Scenario: finding a client (``POST /clients/``) in a clinic with 100,000 clients, as its front desk does.

Names of many origins with accents (``bench.client_names``), drawn with falling weights so that common names
repeat; a second clinic with the same names makes the tenant filter do real work and would make a leak visible.
Each case checks the client it must find, or the count the page prints. On SQLite the clinic is smaller (see
``CLIENTS``): there is no trigram index, and the run should stay within a couple of minutes.
"""

import datetime
import random

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from accounts.people.models import Membership, RoleAssignment, User
from accounts.roles import Role
from bench.client_names import FIRST_NAMES, SURNAMES
from bench.harness import Case, clinic_client
from clients.care_team.models import CareTeamMember
from clients.records.models import Client, ClientNumberSequence
from clients.records.search import digits_of, search_name_for
from tenancy.context import tenant_context
from tenancy.models import Organization

CLIENTS = {"postgresql": 100_000, "sqlite": 20_000}
OTHER_CLINIC_SHARE = 10  # the other clinic has a tenth as many clients
CASELOAD = 150
NAME_FIELDS = ("legal_first_name", "legal_last_name", "preferred_name")
AREA_CODES = (212, 312, 415, 503, 617, 713, 786, 919)
STATUSES = ("active",) * 80 + ("waitlist",) * 8 + ("discharged",) * 11 + ("entered_in_error",)
TRIGRAM_INDEXES = ("clients_client_search_name_trgm", "clients_client_phone_digits_trgm")
TARGET = ("Jordan", "Wiśniewski", datetime.date(1984, 3, 7), "(503) 555-0199")


def _weights(count: int) -> list[float]:
    """Falling weights: the first names of a list are about twenty times as common as the last."""
    return [1 / (rank + 8) for rank in range(count)]


def make_people(count: int, seed: int) -> list[dict]:
    """Deterministic clients as field values; some with a preferred name, a two-word surname or no phone."""
    rng = random.Random(seed)
    first_weights, last_weights = _weights(len(FIRST_NAMES)), _weights(len(SURNAMES))
    firsts = rng.choices(FIRST_NAMES, first_weights, k=count)
    lasts = rng.choices(SURNAMES, last_weights, k=count)
    seconds = rng.choices(SURNAMES, last_weights, k=count)
    earliest = datetime.date(1940, 1, 1).toordinal()
    people = []
    for i in range(count):
        roll = rng.random()
        last = f"{lasts[i]} {seconds[i]}" if roll < 0.08 else f"{lasts[i]}-{seconds[i]}" if roll < 0.11 else lasts[i]
        phone = ""
        if rng.random() < 0.75:
            phone = f"({rng.choice(AREA_CODES)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
        people.append(
            {
                "number": 1001 + i,
                "legal_first_name": firsts[i],
                "legal_last_name": last,
                "preferred_name": rng.choice(FIRST_NAMES) if rng.random() < 0.07 else "",
                "date_of_birth": datetime.date.fromordinal(earliest + rng.randint(0, 29_000)),
                "phone": phone,
                "status": rng.choice(STATUSES),
            }
        )
    return people


def load_clinic(organization: Organization, people: list[dict]) -> None:
    """Insert the clients in one COPY (PostgreSQL) or one executemany (SQLite), as the tables' owner.

    Every other column takes the value a new ``Client()`` would have, so fields added later need no change
    here; ``search_name`` and ``phone_digits`` are computed as ``Client.save`` would.
    """
    fields = [f for f in Client._meta.concrete_fields if not f.primary_key]
    template = Client(organization=organization)
    base = {f.attname: f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields}
    rows = []
    for person in people:
        values = {
            **base,
            **person,
            "date_of_birth": connection.ops.adapt_datefield_value(person["date_of_birth"]),
            "search_name": search_name_for(
                person["legal_first_name"], person["legal_last_name"], person["preferred_name"]
            ),
            "phone_digits": digits_of(person["phone"]),
        }
        rows.append(tuple(values[f.attname] for f in fields))
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Client._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
    with tenant_context(organization):
        ClientNumberSequence.objects.create(next_number=1001 + len(people))


def add_member(organization: Organization, username: str, role: str, password: str) -> Membership:
    email = f"{username}@{organization.slug}.test"
    user = User.objects.create(email=email, full_name=username.title(), password=password)
    with tenant_context(organization):
        membership = Membership.objects.create(user=user, username=username)
        RoleAssignment.objects.create(membership=membership, role=role)
    return membership


def _fast_index_updates(on: bool) -> None:
    """Let the GIN indexes take a bulk load through their pending list, then merge it (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for index in TRIGRAM_INDEXES:
            cursor.execute(f"ALTER INDEX {index} SET (fastupdate = {'on' if on else 'off'})")
            if not on:
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])


def cases() -> list[Case]:
    """Load the clinics, sign in a front desk member and a clinician, and return the requests to time."""
    count = CLIENTS.get(connection.vendor, CLIENTS["sqlite"])
    password = make_password("Correct-Horse-42!")
    clinic = Organization.objects.create(name="Harbor Behavioral Health", slug="harbor", time_zone="America/New_York")
    other = Organization.objects.create(name="Hillside Counseling", slug="hillside", time_zone="America/Chicago")
    people = make_people(count, seed=2026)
    target = people[count // 2]
    first, last, born, phone = TARGET
    target.update(legal_first_name=first, legal_last_name=last, date_of_birth=born, phone=phone, status="active")
    _fast_index_updates(True)
    load_clinic(clinic, people)
    load_clinic(other, make_people(count // OTHER_CLINIC_SHARE, seed=7))
    _fast_index_updates(False)

    desk = add_member(clinic, "frontdesk", Role.FRONT_DESK, password)
    clinician = add_member(clinic, "clinician", Role.CLINICIAN, password)
    with tenant_context(clinic):
        numbers = [p["number"] for p in people[:: count // CASELOAD][: CASELOAD - 1]] + [target["number"]]
        caseload = list(Client.objects.filter(number__in=numbers).values_list("pk", flat=True))
        Client.objects.filter(pk__in=caseload[::2]).update(primary_clinician=clinician)
        team = [CareTeamMember(client_id=pk, membership=clinician) for pk in caseload[1::2]]
        CareTeamMember.objects.bulk_create(team)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE clients_client")

    desk = clinic_client(clinic, desk.user)
    shown = f"{first} {last}</a>"

    def find(label: str, q: str, expect: str = shown, client=desk) -> Case:
        """A search as live search sends it while typing: a POST with htmx's header, answered with the results."""
        return Case(f"clients: {label}", client, "/clients/", {"q": q}, {"HX-Request": "true"}, expect, "post")

    clinician_client = clinic_client(clinic, clinician.user)
    typos = [
        find("misspelled surname", "Wisniewsky", expect=f"{last}</a>"),
        find("misspelled full name", "Jordna Wisnewski"),
    ]
    print(f"client search: {count:,} clients in one clinic, {count // OTHER_CLINIC_SHARE:,} in another", end="")
    if connection.vendor != "postgresql":
        print("; misspelled names skipped: typo tolerance needs PostgreSQL's pg_trgm", end="")
        typos = []
    print(".")
    return [
        # Not a client page: the baseline view signed in, i.e. what any page of a signed-in person pays before its
        # view runs (session, user, membership and roles). The rows below are that plus the client work.
        Case(
            "signed-in baseline (front desk)",
            desk,
            "/__bench__/baseline",
            expect=str(clinic.pk),
            signed_in_baseline=True,
        ),
        Case("clients: list page 1", desk, "/clients/", expect="Clients 1–25, by last name"),
        *typos,
        find("partial first name", "mari", expect="María"),
        find("client number", str(target["number"])),
        find("date of birth", born.strftime("%-m/%-d/%Y")),
        find("phone", "503 555 0199"),
        find(f"clinician's surname ({CASELOAD} on caseload)", "wisniewski", client=clinician_client),
    ]
