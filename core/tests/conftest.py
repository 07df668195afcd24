"""Fixtures for the project-wide tests: the clients app's chart-client factory, reused."""

from clients.tests.conftest import make_chart_client  # noqa: F401
