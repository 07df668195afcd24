"""Where connections, cache and sessions come from, as hearth/settings.py reads them from the environment."""

import runpy
import socket
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured

POSTGRES = "postgres://hearth@127.0.0.1:5432/hearth?sslmode=prefer"
REDIS = "redis://127.0.0.1:6379/15"
READ = ("DATABASE_URL", "HEARTH_DB_POOL_MIN", "HEARTH_DB_POOL_MAX", "HEARTH_DB_CONN_MAX_AGE", "HEARTH_REDIS_URL")


def _settings(monkeypatch, **environment: str) -> dict:
    """The settings module's values when the process starts with ``environment``."""
    for name in READ:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HEARTH_SECRET_KEY", "settings-test")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(settings.BASE_DIR) / "hearth" / "settings.py"))


def test_postgresql_connections_come_from_a_pool_sized_by_the_environment(monkeypatch):
    database = _settings(monkeypatch, DATABASE_URL=POSTGRES, HEARTH_DB_POOL_MIN="1", HEARTH_DB_POOL_MAX="3")
    default = database["DATABASES"]["default"]
    assert default["OPTIONS"] == {"sslmode": "prefer", "pool": {"min_size": 1, "max_size": 3}}
    assert default["CONN_MAX_AGE"] == 0  # Django refuses persistent connections with a pool


def test_the_pool_is_on_by_default_and_a_maximum_of_zero_turns_it_off(monkeypatch):
    pooled = _settings(monkeypatch, DATABASE_URL=POSTGRES)["DATABASES"]["default"]
    assert pooled["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 4}
    unpooled = _settings(monkeypatch, DATABASE_URL=POSTGRES, HEARTH_DB_POOL_MAX="0", HEARTH_DB_CONN_MAX_AGE="60")
    assert "pool" not in unpooled["DATABASES"]["default"]["OPTIONS"]
    assert unpooled["DATABASES"]["default"]["CONN_MAX_AGE"] == 60


def test_sqlite_has_no_pool(monkeypatch, tmp_path):
    database = _settings(monkeypatch, DATABASE_URL=f"sqlite:///{tmp_path / 'hearth.sqlite3'}")
    assert "pool" not in database["DATABASES"]["default"]["OPTIONS"]


@pytest.mark.parametrize(
    "environment",
    [
        {"HEARTH_DB_POOL_MIN": "5", "HEARTH_DB_POOL_MAX": "4"},
        {"HEARTH_DB_POOL_MAX": "-1"},
        {"HEARTH_DB_CONN_MAX_AGE": "60"},
    ],
)
def test_impossible_pool_settings_stop_start_up(monkeypatch, environment):
    with pytest.raises(ImproperlyConfigured, match="HEARTH_DB_"):
        _settings(monkeypatch, DATABASE_URL=POSTGRES, **environment)


def test_cache_and_sessions_go_to_redis_when_it_is_configured(monkeypatch):
    configured = _settings(monkeypatch, HEARTH_REDIS_URL=REDIS)
    assert configured["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS,
    }
    assert configured["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert "CACHES" not in _settings(monkeypatch)


def test_the_redis_cache_stores_and_reads_back():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379; start one to check HEARTH_REDIS_URL end to end")
    cache = RedisCache(REDIS, {"KEY_PREFIX": f"hearth-test-{uuid.uuid4()}"})
    cache.set("session", {"organization": 7}, 30)
    try:
        assert cache.get("session") == {"organization": 7}
    finally:
        cache.delete("session")
