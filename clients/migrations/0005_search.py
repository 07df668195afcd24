from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

# Row-level security lets PostgreSQL use an index only for leakproof operators; LIKE and pg_trgm's are not, so
# under the request role a plain query would read every row of the clinic. These functions run as the tables'
# owner (past row-level security), filter by the clinic of the request themselves, and return client ids only.
# plan_cache_mode: plan each call with its actual pattern, so the trigram index is chosen for selective ones.
FUNCTIONS = """
CREATE OR REPLACE FUNCTION hearth_client_name_matches(
    query text, starts text[], whole text[], threshold real, enough integer, cap integer, scope bigint[]
)
RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 200
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
SET pg_trgm.word_similarity_threshold = 0.6
AS $$
DECLARE
    clinic bigint := NULLIF(current_setting('app.current_organization', true), '')::bigint;
    found integer := 0;
    more integer;
BEGIN
    -- The best ``cap`` matches (NULL: all) in the order clients/search.py ranks them, among the ids in ``scope``
    -- (NULL: every client of the clinic). Each tier is ordered by name alone, so for a common beginning such
    -- as "j" the planner can walk the name index and stop at the cap instead of sorting thousands of rows.
    -- 1. Every typed word is a whole word of the name.
    RETURN QUERY
        SELECT c.id FROM clients_client AS c
        WHERE c.organization_id = clinic AND c.status <> 'entered_in_error'
          AND (scope IS NULL OR c.id = ANY (scope))
          AND c.search_name LIKE whole[1] AND c.search_name LIKE ALL (whole)
        ORDER BY c.legal_last_name, c.legal_first_name, c.id
        LIMIT cap;
    GET DIAGNOSTICS found = ROW_COUNT;
    -- 2. Every typed word begins a word of the name (starts[1] is the longest, the one the index looks up).
    IF cap IS NULL OR found < cap THEN
        RETURN QUERY
            SELECT c.id FROM clients_client AS c
            WHERE c.organization_id = clinic AND c.status <> 'entered_in_error'
              AND (scope IS NULL OR c.id = ANY (scope))
              AND c.search_name LIKE starts[1] AND c.search_name LIKE ALL (starts)
              AND NOT c.search_name LIKE ALL (whole)
            ORDER BY c.legal_last_name, c.legal_first_name, c.id
            LIMIT cap - found;
        GET DIAGNOSTICS more = ROW_COUNT;
        found := found + more;
    END IF;
    IF found >= enough OR found >= cap OR length(query) < 3 THEN
        RETURN;
    END IF;
    -- 3. Too few: close spellings, closest first (then shorter names: fewer other words). The threshold is local to this call (see SET above).
    PERFORM set_config('pg_trgm.word_similarity_threshold', threshold::text, true);
    RETURN QUERY
        SELECT c.id FROM clients_client AS c
        WHERE c.organization_id = clinic AND c.status <> 'entered_in_error'
          AND (scope IS NULL OR c.id = ANY (scope))
          AND query <% c.search_name AND NOT c.search_name LIKE ALL (starts)
        ORDER BY word_similarity(query, c.search_name) DESC, length(c.search_name),
                 c.legal_last_name, c.legal_first_name, c.id
        LIMIT cap - found;
END
$$;

CREATE OR REPLACE FUNCTION hearth_client_phone_matches(digits text)
RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 20
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
BEGIN
    IF digits !~ '^[0-9]{3,}$' THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT c.id FROM clients_client AS c
        WHERE c.organization_id = NULLIF(current_setting('app.current_organization', true), '')::bigint
          AND c.phone_digits LIKE '%' || digits || '%';
END
$$;
"""
# fastupdate off: searches never wade through a pending list; clients are written rarely, searched often.
INDEXES = """
CREATE INDEX clients_client_search_name_trgm ON clients_client USING gin (search_name gin_trgm_ops)
    WITH (fastupdate = off);
CREATE INDEX clients_client_phone_digits_trgm ON clients_client USING gin (phone_digits gin_trgm_ops)
    WITH (fastupdate = off);
"""
DROP = """
DROP FUNCTION IF EXISTS hearth_client_name_matches(text, text[], text[], real, integer, integer, bigint[]);
DROP FUNCTION IF EXISTS hearth_client_phone_matches(text);
DROP INDEX IF EXISTS clients_client_search_name_trgm;
DROP INDEX IF EXISTS clients_client_phone_digits_trgm;
"""


def fill_search_fields(apps, schema_editor):
    """Existing clients get the same folded names and phone digits that ``Client.save`` now keeps."""
    from clients.records.search import digits_of, search_name_for

    Client = apps.get_model("clients", "Client")
    batch = []
    for client in Client._base_manager.only(
        "legal_first_name", "legal_last_name", "preferred_name", "phone"
    ).iterator(chunk_size=2000):
        client.search_name = search_name_for(client.legal_first_name, client.legal_last_name, client.preferred_name)
        client.phone_digits = digits_of(client.phone)
        batch.append(client)
        if len(batch) == 2000:
            Client._base_manager.bulk_update(batch, ["search_name", "phone_digits"])
            batch = []
    Client._base_manager.bulk_update(batch, ["search_name", "phone_digits"])


def create_postgres_objects(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEXES, None)
        schema_editor.execute(FUNCTIONS, None)


def drop_postgres_objects(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, None)


class Migration(migrations.Migration):
    """Client search: folded names and phone digits on every client; on PostgreSQL, pg_trgm, GIN trigram
    indexes and the two matching functions (see clients/search.py). Nothing PostgreSQL-specific runs on SQLite."""

    dependencies = [
        ("clients", "0004_documents_amendments"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name="client",
            name="search_name",
            field=models.TextField(
                default="",
                editable=False,
                help_text="Legal and preferred names folded for search (clients/search.py).",
            ),
        ),
        migrations.AddField(
            model_name="client",
            name="phone_digits",
            field=models.CharField(default="", editable=False, help_text="The phone's digits only.", max_length=20),
        ),
        migrations.RunPython(fill_search_fields, migrations.RunPython.noop),
        migrations.RunPython(create_postgres_objects, drop_postgres_objects),
    ]
