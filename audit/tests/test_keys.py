"""Where the sealing key comes from: never the database; var/ only on localhost; refused when missing or weak."""

import runpy
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SETTINGS = Path(settings.BASE_DIR) / "hearth" / "settings.py"
KEY = "k" * 40


@pytest.fixture
def environment(monkeypatch, tmp_path):
    for name in ("HEARTH_AUDIT_KEY", "HEARTH_AUDIT_KEY_FILE", "HEARTH_BASE_DOMAIN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HEARTH_VAR_DIR", str(tmp_path))
    return monkeypatch


def _audit_keys() -> list[str]:
    return runpy.run_path(str(SETTINGS))["HEARTH_AUDIT_KEYS"]


def test_a_deployment_without_an_audit_key_does_not_start(environment):
    environment.setenv("HEARTH_BASE_DOMAIN", "hearth.example")
    with pytest.raises(ImproperlyConfigured, match="HEARTH_AUDIT_KEY or HEARTH_AUDIT_KEY_FILE must be set"):
        _audit_keys()


def test_a_short_key_is_refused(environment):
    environment.setenv("HEARTH_AUDIT_KEY", "password1")
    with pytest.raises(ImproperlyConfigured, match="at least 32 characters"):
        _audit_keys()


def test_keys_come_from_a_file_newest_first(environment, tmp_path):
    key_file = tmp_path / "audit-keys"
    key_file.write_text(f"{KEY}\n{'o' * 40}\n")
    environment.setenv("HEARTH_BASE_DOMAIN", "hearth.example")
    environment.setenv("HEARTH_AUDIT_KEY_FILE", str(key_file))
    assert _audit_keys() == [KEY, "o" * 40]


def test_a_local_setup_keeps_its_own_key_in_var(environment, tmp_path):
    keys = _audit_keys()
    key_file = tmp_path / "audit_key"
    assert keys == [key_file.read_text().strip()]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert _audit_keys() == keys  # made once, then reused
