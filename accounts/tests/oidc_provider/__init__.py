"""A real, independent OpenID Connect provider for the tests: `oidc-provider` (npm) run by Node on loopback.

``provider_fixture()`` makes a session-scoped pytest fixture that starts ``provider.mjs`` on a free port, waits
until its discovery document answers, yields an ``OidcProvider`` and stops the process at the end.
``OidcProvider.sign_in`` walks the provider's development login and consent pages over HTTP (as a browser would)
and returns the URL the provider sends the browser back to. Without ``node`` on PATH the fixture skips the tests
that ask for it, saying why; tests that never contact the provider use ``OFFLINE`` and run anyway.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from django.conf import settings

SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_ID = "hearth-test"
CLIENT_SECRET = "hearth-test-secret-0123456789"
FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"', re.IGNORECASE)
PROMPT = re.compile(r'name="prompt" value="([a-z]+)"')
NO_NODE = "node is not on PATH: the OpenID Connect provider (oidc-provider) these tests sign in at cannot run"


@dataclass
class OidcProvider:
    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def sign_in(self, authorization_url: str, login: str, *, max_steps: int = 12) -> str:
        """Sign in at the provider as ``login`` and consent; return the redirect back to the client."""
        browser = requests.Session()
        url, method, data = authorization_url, "GET", None
        for _ in range(max_steps):
            response = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
            if response.is_redirect:
                target = urljoin(url, response.headers["Location"])
                if not target.startswith(self.issuer):
                    return target
                url, method, data = target, "GET", None
                continue
            response.raise_for_status()
            form, prompt = FORM.search(response.text), PROMPT.search(response.text)
            if form is None or prompt is None:
                raise AssertionError(f"unexpected page from the provider: {response.text[:500]}")
            url, method = urljoin(url, unescape(form.group(1))), "POST"
            data = {"prompt": prompt.group(1)}
            if prompt.group(1) == "login":
                data.update(login=login, password="any-password")
        raise AssertionError("the provider never sent the browser back")


# For tests that never contact the provider (refused before discovery, or pages only rendered): nothing listens on
# the discard port, so a test that did try would fail rather than pass by accident.
OFFLINE = OidcProvider(issuer="http://127.0.0.1:9")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_discovery(issuer: str, process: subprocess.Popen, log, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"oidc-provider exited with {process.returncode}: {log.read()}")
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"oidc-provider did not answer at {issuer} within {timeout} s")


def run_provider() -> Iterator[OidcProvider]:
    node = shutil.which("node")
    if node is None:
        pytest.skip(NO_NODE)
    if not (Path(settings.BASE_DIR) / "node_modules" / "oidc-provider").exists():
        pytest.fail("the oidc-provider package is missing: run `npm ci` (make test does)")
    port = _free_port()
    env = {**os.environ, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET}
    with tempfile.TemporaryFile(mode="w+") as log:
        yield from _serve(node, port, env, log)


def _serve(node: str, port: int, env: dict, log) -> Iterator[OidcProvider]:
    process = subprocess.Popen(
        [node, str(SCRIPT), str(port)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        issuer = f"http://127.0.0.1:{port}"
        _wait_for_discovery(issuer, process, log)
        yield OidcProvider(issuer=issuer)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def provider_fixture():
    """A session-scoped ``oidc_provider`` fixture; assign it to a module-level name in a test module."""

    def oidc_provider() -> Iterator[OidcProvider]:
        yield from run_provider()

    return pytest.fixture(scope="session", name="oidc_provider")(oidc_provider)
