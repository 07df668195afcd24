"""PostgreSQL row-level security for tenant tables.

Requests run as a restricted role (``HEARTH_DB_APP_ROLE``, ``SET ROLE`` per request) that is not the tables'
owner, so the policies below apply to it: a row is visible or writable only when its ``organization_id`` equals
the per-request setting ``app.current_organization``. When the setting is absent nothing is visible. The owner
(migrations, management commands) bypasses row-level security and relies on the ORM's filtering.
On other databases these functions do nothing.

With pooled connections (``HEARTH_DB_POOL_MAX``) one connection serves many requests and clinics in turn, so
the role, the clinic and the console flag are reset whenever the pool takes a connection back and whenever
Django takes one out (``use_pool_resets``), besides ``deactivate`` at the end of every tenant context.
"""

import logging

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connections, models
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)
SETTING = "app.current_organization"
POLICY = "hearth_tenant_isolation"
# Set (with the request role) while the vendor's support console reads across clinics; models name what it may
# then see in ``rls_cross_clinic_select`` (e.g. tickets sent to the vendor), and see nothing else of any clinic.
VENDOR_SETTING = "app.vendor_console"


def _is_postgres(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


def activate(organization_id: int, using: str = "default") -> None:
    if not _is_postgres(using):
        return
    role = settings.HEARTH_DB_APP_ROLE
    # The console flag is cleared too: a clinic's context never also sees what the console may see.
    with connections[using].cursor() as cursor:
        if role:
            cursor.execute(
                "SELECT set_config(%s, %s, false), set_config(%s, '', false), set_config('role', %s, false)",
                [SETTING, str(organization_id), VENDOR_SETTING, role],
            )
        else:
            cursor.execute(
                "SELECT set_config(%s, %s, false), set_config(%s, '', false)",
                [SETTING, str(organization_id), VENDOR_SETTING],
            )


def activate_vendor_console(using: str = "default") -> None:
    """Run as the request role with no clinic but the console flag: only the console's own policies match."""
    if not _is_postgres(using):
        return
    role = settings.HEARTH_DB_APP_ROLE
    with connections[using].cursor() as cursor:
        if role:
            cursor.execute(
                "SELECT set_config(%s, '', false), set_config(%s, 'on', false), set_config('role', %s, false)",
                [SETTING, VENDOR_SETTING, role],
            )
        else:
            cursor.execute("SELECT set_config(%s, '', false), set_config(%s, 'on', false)", [SETTING, VENDOR_SETTING])


def deactivate(using: str = "default") -> None:
    if not _is_postgres(using):
        return
    connection = connections[using]
    if connection.connection is None:
        return
    try:
        with connection.cursor() as cursor:
            if settings.HEARTH_DB_APP_ROLE:
                cursor.execute(
                    "SELECT set_config(%s, '', false), set_config(%s, '', false), set_config('role', 'none', false)",
                    [SETTING, VENDOR_SETTING],
                )
            else:
                cursor.execute("SELECT set_config(%s, '', false), set_config(%s, '', false)", [SETTING, VENDOR_SETTING])
    except DatabaseError:
        # The connection is unusable (e.g. an aborted transaction): never hand it on with a tenant still set.
        logger.warning("Could not reset the tenant on a database connection; closing it.")
        if not connection.in_atomic_block:
            connection.close()


# RESET rather than DISCARD ALL: it keeps what Django set once per connection (the time zone) and any server-side
# prepared statements (``prepare_threshold``), which stay safe: PostgreSQL re-plans them when the role changes, and
# the policies read the clinic setting when a statement runs, not when it was prepared.
RESET_SQL = f"RESET ROLE; RESET {SETTING}; RESET {VENDOR_SETTING}"


def reset_connection(conn) -> None:
    """Bring a psycopg connection back to the login role with no clinic and no console flag.

    The pool's ``reset`` callback: the pool calls it on every connection given back (after rolling back an open
    transaction) and discards the connection if it raises."""
    conn.execute(RESET_SQL, prepare=False)  # several statements: never a prepared statement


def _reset_on_checkout(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql" and connection.pool:
        with connection.wrap_database_errors:  # a dead connection fails as Django's error; the pool then drops it
            reset_connection(connection.connection)


def use_pool_resets() -> None:
    """Reset pooled PostgreSQL connections on return (the pool's ``reset`` option, added to every database that
    configures a pool) and on checkout (``connection_created``, which Django sends each time it takes a connection
    from its pool). Called once from ``TenancyConfig.ready()``, before any pool exists."""
    for alias in connections:
        options = connections[alias].settings_dict["OPTIONS"]
        if connections[alias].vendor == "postgresql" and options.get("pool"):
            pool = {} if options["pool"] is True else options["pool"]
            options["pool"] = {**pool, "reset": reset_connection}
    connection_created.connect(_reset_on_checkout, dispatch_uid="tenancy.rls.reset_on_checkout")


def isolated_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if getattr(m, "tenant_isolated", False) and not m._meta.proxy]


def append_only_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if getattr(m, "append_only", False)]


def owner_written_models() -> list[type[models.Model]]:
    """Tables only the owner writes (the audit sealer's links and blocks): the request role may read them, never
    write them."""
    return [m for m in apps.get_models() if getattr(m, "owner_writes_only", False)]


def _create_role(cursor, role: str, quoted: str) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone() is None:
        # Another process (a parallel test run) may create it first: treat "already exists" as success.
        cursor.execute(
            f"DO $$ BEGIN CREATE ROLE {quoted} NOLOGIN NOSUPERUSER NOBYPASSRLS; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;"
        )


def definer_functions(cursor) -> list[str]:
    """Signatures of the SECURITY DEFINER functions that the migrations' owner created in the current schema
    (such as the client search functions of ``clients/migrations/0005_search.py``)."""
    cursor.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace "
        "WHERE p.prosecdef AND n.nspname = current_schema() AND p.proowner = current_user::regrole "
        "ORDER BY 1"
    )
    return [row[0] for row in cursor.fetchall()]


def _restrict_definer_functions(cursor, quoted_role: str | None) -> None:
    """A SECURITY DEFINER function runs as the tables' owner, past row-level security, and PostgreSQL lets
    every role (PUBLIC) execute a new function: take that away, and let only the request role call them."""
    for signature in definer_functions(cursor):  # regprocedure text: quoted by PostgreSQL itself
        cursor.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        if quoted_role:
            cursor.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {quoted_role}")


def install(using: str = "default") -> None:
    """Create the restricted role, grant it what the app needs, and (re)create a policy on every tenant table.

    Idempotent; runs after every ``migrate``.
    """
    if not _is_postgres(using):
        return
    role = settings.HEARTH_DB_APP_ROLE
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if role:
            _create_role(cursor, role, quote(role))
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quote(role)}")
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quote(role)}")
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quote(role)}")
            for model in append_only_models():
                cursor.execute(f"REVOKE UPDATE, DELETE ON {quote(model._meta.db_table)} FROM {quote(role)}")
            for model in owner_written_models():
                cursor.execute(f"REVOKE INSERT ON {quote(model._meta.db_table)} FROM {quote(role)}")
        _restrict_definer_functions(cursor, quote(role) if role else None)
        for model in isolated_models():
            table = quote(model._meta.db_table)
            cursor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
            cursor.execute(
                f"CREATE POLICY {POLICY} ON {table} "
                f"USING (organization_id = NULLIF(current_setting('{SETTING}', true), '')::bigint) "
                f"WITH CHECK (organization_id = NULLIF(current_setting('{SETTING}', true), '')::bigint)"
            )
            for name, condition in getattr(model, "rls_cross_clinic_select", {}).items():
                cursor.execute(f"DROP POLICY IF EXISTS {quote(name)} ON {table}")
                cursor.execute(
                    f"CREATE POLICY {quote(name)} ON {table} FOR SELECT "
                    f"USING (current_setting('{VENDOR_SETTING}', true) = 'on' AND ({condition}))"
                )


def install_after_migrate(sender, using: str = "default", **kwargs) -> None:
    if sender.name == "tenancy":  # once per migrate run, not once per app
        install(using)
