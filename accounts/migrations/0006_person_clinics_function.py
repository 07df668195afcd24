from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION hearth_person_memberships(person bigint)
RETURNS TABLE (organization_id bigint, username varchar)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT organization_id, username FROM accounts_membership WHERE user_id = person AND is_active $$;
"""
DROP = "DROP FUNCTION IF EXISTS hearth_person_memberships(bigint);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    """A person's own active memberships in every clinic, readable past row-level security.

    Password rules and temporary passwords concern the person, not one clinic, so they must see all of the
    person's clinics; this narrow function answers exactly that and nothing else.
    """

    dependencies = [("accounts", "0005_sessions")]
    operations = [migrations.RunPython(create, drop)]
