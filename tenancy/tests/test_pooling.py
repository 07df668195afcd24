"""Pooled PostgreSQL connections: one connection serves clinics in turn and never carries a request's role, clinic
or console flag into the next; the pool reuses connections, and bounds them under the shipped server."""

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection

from tenancy import rls


def _use_pool(**options) -> None:
    """Give this process (the test and the live server's threads share it) a new pool built from ``options``."""
    connection.close()
    connection.close_pool()
    connection.settings_dict["OPTIONS"]["pool"] = options


@pytest.fixture
def postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("the connection pool is PostgreSQL's (psycopg_pool); set DATABASE_URL=postgres://… to run")


@pytest.fixture
def server(postgres, live_server, settings):
    """The live server on ``tenancy/tests/pool_urls.py`` (clinic hosts and the support host); the configured pool
    is put back afterwards."""
    configured = connection.settings_dict["OPTIONS"].get("pool")
    if not configured:
        pytest.skip("the connection pool is off (HEARTH_DB_POOL_MAX=0)")
    settings.ROOT_URLCONF = settings.HEARTH_SUPPORT_URLCONF = "tenancy.tests.pool_urls"
    yield live_server
    _use_pool(**configured)


def _get(server, slug: str, path: str) -> requests.Response:
    port = server.url.rsplit(":", 1)[1]
    host = f"{slug}.{settings.HEARTH_BASE_DOMAIN}:{port}"
    return requests.get(f"{server.url}{path}", headers={"Host": host}, timeout=60)


@pytest.mark.parametrize("guard", ["every guard", "the pool's reset alone", "the checkout reset alone"])
def test_two_clinics_interleaved_on_one_connection_never_see_each_other(
    guard, server, monkeypatch, org, other_org, admin, outsider
):
    reset = connection.settings_dict["OPTIONS"]["pool"]["reset"]
    if guard != "every guard":  # as if a request ended without its tenant context's reset
        monkeypatch.setattr(rls, "deactivate", lambda using="default": None)
    if guard == "the pool's reset alone":
        monkeypatch.setattr(rls, "reset_connection", lambda conn: None)  # what the checkout reset calls
    _use_pool(min_size=1, max_size=1, **({} if guard == "the checkout reset alone" else {"reset": reset}))

    clinic_a = _get(server, org.slug, "/probe/").json()
    clinic_b = _get(server, other_org.slug, "/probe/").json()
    assert _get(server, org.slug, "/fail/").status_code == 500
    after_failure = _get(server, "support", "/probe/").json()
    console = _get(server, "support", "/console/").json()
    after_console = _get(server, "support", "/probe/").json()
    clinic_b_again = _get(server, other_org.slug, "/probe/").json()
    clinic_a_again = _get(server, org.slug, "/probe/").json()
    handed_over = _get(server, "support", "/probe/").json()

    states = [clinic_a, clinic_b, after_failure, console, after_console, clinic_b_again, clinic_a_again, handed_over]
    assert len({state.pop("pid") for state in states}) == 1  # one connection served every request
    role = settings.HEARTH_DB_APP_ROLE
    for state in (clinic_a, clinic_a_again):
        assert state == {"user": role, "clinic": str(org.pk), "console": "", "members": ["alice"]}
    for state in (clinic_b, clinic_b_again):
        assert state == {"user": role, "clinic": str(other_org.pk), "console": "", "members": ["oscar"]}
    assert console == {"user": role, "clinic": "", "console": "on", "members": []}
    login_role = connection.settings_dict["USER"]
    for state in (after_failure, after_console, handed_over):  # what the pool handed the next request
        assert (state["user"], state["clinic"], state["console"]) == (login_role, "", "")


def test_the_pool_reuses_connections_across_requests(server, org):
    connection.close()  # the test's own connection goes back to the pool too
    pids = [_get(server, org.slug, "/probe/").json()["pid"] for _ in range(12)]
    assert len(set(pids)) <= connection.settings_dict["OPTIONS"]["pool"]["max_size"] < len(pids)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(process: subprocess.Popen, url: str, log) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"uvicorn exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if requests.get(url, headers={"Host": settings.HEARTH_BASE_DOMAIN}, timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    pytest.fail(f"uvicorn did not answer within 90 s: {log.read_text()[-2000:]}")


def test_runaway_requests_under_uvicorn_stay_within_the_pools(postgres, transactional_db, org, tmp_path):
    """Two uvicorn workers with pools of two: sixteen clients at once never open more than four connections."""
    db = connection.settings_dict
    name = f"hearth-pool-test-{os.getpid()}"  # tells this server's connections apart in pg_stat_activity
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    url = f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    port, log = _free_port(), tmp_path / "uvicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"{url}?application_name={name}",
        "HEARTH_DB_POOL_MIN": "1",
        "HEARTH_DB_POOL_MAX": "2",
        "DJANGO_SETTINGS_MODULE": "hearth.test_settings",
        "HEARTH_VAR_DIR": str(tmp_path),
        "HEARTH_SECRET_KEY": "pool-test-" + "x" * 40,
    }
    command = [sys.executable, "-m", "uvicorn", "hearth.asgi:application", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "2", "--lifespan", "off", "--log-level", "warning"]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=output)
    peak, done = 0, threading.Event()

    def watch() -> None:
        nonlocal peak
        with psycopg.connect(url, autocommit=True) as watcher:
            while not done.is_set():
                query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
                peak = max(peak, watcher.execute(query, [name]).fetchone()[0])
                time.sleep(0.02)

    def sign_in_page(_: int) -> int:
        headers = {"Host": f"{org.slug}.{settings.HEARTH_BASE_DOMAIN}:{port}"}
        return requests.get(f"http://127.0.0.1:{port}/login/", headers=headers, timeout=120).status_code

    try:
        _wait_until_up(process, f"http://127.0.0.1:{port}/healthz", log)
        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            with ThreadPoolExecutor(16) as clients:
                statuses = list(clients.map(sign_in_page, range(240)))
        finally:
            done.set()
            watcher.join()
    finally:
        process.terminate()  # uvicorn stops its workers first
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        process.kill()  # does nothing once it has exited
    assert statuses == [200] * 240, log.read_text()[-2000:]
    assert 1 <= peak <= 2 * 2
