from django.db import migrations

# "%%" because the SQL goes through the driver's parameter formatting (it has none).
CREATE = """
CREATE OR REPLACE FUNCTION hearth_row_owner(tbl regclass, row_id text)
RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    id_type text;
    owner bigint;
BEGIN
    SELECT format_type(id_column.atttypid, id_column.atttypmod) INTO id_type
    FROM pg_class AS c
    JOIN pg_namespace AS n ON n.oid = c.relnamespace
    JOIN pg_attribute AS id_column ON id_column.attrelid = c.oid AND id_column.attname = 'id'
        AND NOT id_column.attisdropped
    JOIN pg_attribute AS org_column ON org_column.attrelid = c.oid AND org_column.attname = 'organization_id'
        AND NOT org_column.attisdropped
    WHERE c.oid = tbl AND n.nspname = 'public' AND c.relrowsecurity;
    IF id_type IS NULL THEN
        RETURN NULL;
    END IF;
    BEGIN
        EXECUTE format('SELECT organization_id FROM %%s WHERE id = CAST($1 AS %%s)', tbl, id_type) INTO owner USING row_id;
    EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range OR invalid_datetime_format THEN
        RETURN NULL;
    END;
    RETURN owner;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS hearth_row_owner(regclass, text);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    """The clinic that owns a row of a table under row-level security, and nothing else about it.

    A refused id is recorded in the owning clinic's audit log too (``audit.probes``); the request role cannot see
    that row, so this narrow function answers with the owner's id alone. ``rls.install`` lets only the request role
    execute it.
    """

    dependencies = [("tenancy", "0006_admin_clinical_access")]
    operations = [migrations.RunPython(create, drop)]
