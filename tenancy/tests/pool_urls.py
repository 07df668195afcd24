"""A URLconf for the pooling tests only: what a request's database connection carries and lets it see.

Installed as both ROOT_URLCONF and the support host's URLconf, so ``/probe/`` on a clinic's host runs inside that
clinic's context, and on ``support.`` in none: there it shows the connection exactly as the pool handed it over.
"""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

from tenancy.context import vendor_console_context


def connection_state() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_backend_pid(), current_user, current_setting('app.current_organization', true), "
            "current_setting('app.vendor_console', true)"
        )
        pid, user, clinic, console = cursor.fetchone()
        cursor.execute("SELECT username FROM accounts_membership ORDER BY username")  # no filter: RLS alone
        members = [row[0] for row in cursor.fetchall()]
    return {"pid": pid, "user": user, "clinic": clinic or "", "console": console or "", "members": members}


def probe(request: HttpRequest) -> JsonResponse:
    return JsonResponse(connection_state())


def console(request: HttpRequest) -> JsonResponse:
    with vendor_console_context():
        return JsonResponse(connection_state())


def fail_midway(request: HttpRequest) -> JsonResponse:
    connection_state()  # the clinic and the role are live on the connection now
    raise RuntimeError("failed halfway through the request")


urlpatterns = [path("probe/", probe), path("console/", console), path("fail/", fail_midway)]
