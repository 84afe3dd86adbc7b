# Full-text search of decision items and follow-ups (decisions/search.py): tsvector columns kept by triggers,
# with GIN indexes. A wholly withheld item's words are never indexed. A follow-up's vector holds what is owed
# and the names of who owes it, so renaming an agency, portfolio or Minister refreshes their follow-ups.
# The triggers and indexes exist on PostgreSQL only; on SQLite the columns stay empty.

import django.contrib.postgres.search
from django.db import migrations

from cabinet.postgres import on_postgresql

FORWARDS = [
    """
    CREATE FUNCTION decisions_decisionitem_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := CASE WHEN NEW.is_redacted THEN ''::tsvector
            ELSE to_tsvector('english', coalesce(NEW.text, '')) END;
        RETURN NEW;
    END $$;
    """,
    "CREATE TRIGGER decisions_decisionitem_search_vector BEFORE INSERT OR UPDATE OF text, is_redacted "
    "ON decisions_decisionitem FOR EACH ROW EXECUTE FUNCTION decisions_decisionitem_search_vector()",
    "UPDATE decisions_decisionitem SET text = text",
    "CREATE INDEX decisions_decisionitem_search ON decisions_decisionitem USING gin (search_vector)",
    """
    CREATE FUNCTION decisions_followup_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := setweight(to_tsvector('english', coalesce(NEW.description, '')), 'A')
            || setweight(to_tsvector('english', concat_ws(' ',
                NEW.responsible_text,
                (SELECT concat_ws(' ', a.name, a.short_name) FROM cabinet_agency a WHERE a.id = NEW.responsible_agency_id),
                (SELECT concat_ws(' ', p.name, p.minister_title) FROM cabinet_portfolio p
                    WHERE p.id = NEW.responsible_portfolio_id),
                (SELECT m.name FROM cabinet_minister m WHERE m.id = NEW.responsible_minister_id)
            )), 'B');
        RETURN NEW;
    END $$;
    """,
    "CREATE TRIGGER decisions_followup_search_vector BEFORE INSERT OR UPDATE OF description, responsible_text, "
    "responsible_agency_id, responsible_portfolio_id, responsible_minister_id ON decisions_followup "
    "FOR EACH ROW EXECUTE FUNCTION decisions_followup_search_vector()",
    "UPDATE decisions_followup SET description = description",
    "CREATE INDEX decisions_followup_search ON decisions_followup USING gin (search_vector)",
    """
    CREATE FUNCTION decisions_followup_names_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_TABLE_NAME = 'cabinet_agency' THEN
            UPDATE decisions_followup SET description = description WHERE responsible_agency_id = NEW.id;
        ELSIF TG_TABLE_NAME = 'cabinet_portfolio' THEN
            UPDATE decisions_followup SET description = description WHERE responsible_portfolio_id = NEW.id;
        ELSE
            UPDATE decisions_followup SET description = description WHERE responsible_minister_id = NEW.id;
        END IF;
        RETURN NULL;
    END $$;
    """,
    "CREATE TRIGGER decisions_followup_agency_renamed AFTER UPDATE OF name, short_name ON cabinet_agency "
    "FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.short_name IS DISTINCT FROM NEW.short_name) "
    "EXECUTE FUNCTION decisions_followup_names_changed()",
    "CREATE TRIGGER decisions_followup_portfolio_renamed AFTER UPDATE OF name, minister_title ON cabinet_portfolio "
    "FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.minister_title IS DISTINCT FROM NEW.minister_title) "
    "EXECUTE FUNCTION decisions_followup_names_changed()",
    "CREATE TRIGGER decisions_followup_minister_renamed AFTER UPDATE OF name ON cabinet_minister "
    "FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION decisions_followup_names_changed()",
]

BACKWARDS = [
    "DROP TRIGGER IF EXISTS decisions_followup_minister_renamed ON cabinet_minister",
    "DROP TRIGGER IF EXISTS decisions_followup_portfolio_renamed ON cabinet_portfolio",
    "DROP TRIGGER IF EXISTS decisions_followup_agency_renamed ON cabinet_agency",
    "DROP FUNCTION IF EXISTS decisions_followup_names_changed()",
    "DROP INDEX IF EXISTS decisions_followup_search",
    "DROP TRIGGER IF EXISTS decisions_followup_search_vector ON decisions_followup",
    "DROP FUNCTION IF EXISTS decisions_followup_search_vector()",
    "DROP INDEX IF EXISTS decisions_decisionitem_search",
    "DROP TRIGGER IF EXISTS decisions_decisionitem_search_vector ON decisions_decisionitem",
    "DROP FUNCTION IF EXISTS decisions_decisionitem_search_vector()",
]


class Migration(migrations.Migration):

    dependencies = [
        ('cabinet', '0006_search_vectors'),
        ('decisions', '0007_follow_up_lead'),
    ]

    operations = [
        migrations.AddField(
            model_name='decisionitem',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='followup',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(on_postgresql(FORWARDS), on_postgresql(BACKWARDS), elidable=False),
    ]
