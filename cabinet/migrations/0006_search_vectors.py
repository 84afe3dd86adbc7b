# Full-text search of minutes and papers (decisions/search.py): a tsvector column kept by a trigger, with a GIN
# index, and a trigram index on the reference. The triggers and indexes exist on PostgreSQL only; on SQLite
# the column stays empty and search falls back to icontains.

import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from cabinet.postgres import on_postgresql

RECORD_VECTOR = """
CREATE FUNCTION cabinet_record_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := setweight(to_tsvector('english', coalesce(NEW.reference, '')), 'A')
        || setweight(to_tsvector('english', coalesce(NEW.title, '')), 'B');
    RETURN NEW;
END $$;
"""

FORWARDS = [RECORD_VECTOR] + [
    statement
    for table in ("cabinet_minute", "cabinet_paper")
    for statement in (
        f"CREATE TRIGGER {table}_search_vector BEFORE INSERT OR UPDATE OF reference, title ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION cabinet_record_search_vector()",
        f"UPDATE {table} SET title = title",
        f"CREATE INDEX {table}_search ON {table} USING gin (search_vector)",
        f"CREATE INDEX {table}_reference_trgm ON {table} USING gin (reference gin_trgm_ops)",
    )
]

BACKWARDS = [
    statement
    for table in ("cabinet_minute", "cabinet_paper")
    for statement in (
        f"DROP INDEX IF EXISTS {table}_reference_trgm",
        f"DROP INDEX IF EXISTS {table}_search",
        f"DROP TRIGGER IF EXISTS {table}_search_vector ON {table}",
    )
] + ["DROP FUNCTION IF EXISTS cabinet_record_search_vector()"]


class Migration(migrations.Migration):

    dependencies = [
        ('cabinet', '0005_profile_is_coordinator'),
    ]

    operations = [
        TrigramExtension(),  # skipped on other databases
        migrations.AddField(
            model_name='minute',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='paper',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(on_postgresql(FORWARDS), on_postgresql(BACKWARDS), elidable=False),
    ]
