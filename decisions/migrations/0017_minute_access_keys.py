"""Each minute's access keys, kept by PostgreSQL: who the minute concerns, as one GIN-indexed array.

Need to know (decisions/access.py) says a minute concerns an official when one of its portfolios is theirs, its
paper's lead agency is, or it carries one of their own follow-ups (by responsible agency or portfolio). The array
holds exactly those keys, agencies as their ids and portfolios as their ids negated, so an official's minutes are
one indexed lookup (`access_keys && ARRAY[...]`) rather than a pass over every minute.

Triggers keep it right: a minute computes its own when inserted or given another paper; adding or removing a
portfolio, a paper's lead agency changing, and follow-ups inserted, moved, re-assigned or deleted refresh the minutes
they touch, once a statement (transition tables), so a bulk change (a machinery-of-government change, COPY in the
register generator) costs one UPDATE. PostgreSQL only: SQLite, the embedded default, reads the same rule by its
lookups (access.Scope._records).
"""

from django.db import migrations

from cabinet.postgres import on_postgresql

KEYS_OF_A_MINUTE = """
CREATE FUNCTION cabinet_minute_access_keys(minute bigint, paper bigint) RETURNS bigint[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT key ORDER BY key), '{}') FROM (
        SELECT -portfolio_id AS key FROM cabinet_minute_portfolios WHERE minute_id = minute
        UNION ALL SELECT lead_agency_id FROM cabinet_paper WHERE id = paper AND lead_agency_id IS NOT NULL
        UNION ALL SELECT responsible_agency_id FROM decisions_followup
            WHERE minute_id = minute AND responsible_agency_id IS NOT NULL
        UNION ALL SELECT -responsible_portfolio_id FROM decisions_followup
            WHERE minute_id = minute AND responsible_portfolio_id IS NOT NULL
    ) keys
$$
"""

REFRESH = """
CREATE FUNCTION cabinet_minute_refresh_access_keys(minutes bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE cabinet_minute AS minute SET access_keys = fresh.keys
    FROM (SELECT id, cabinet_minute_access_keys(id, paper_id) AS keys FROM cabinet_minute WHERE id = ANY(minutes)) AS fresh
    WHERE minute.id = fresh.id AND minute.access_keys IS DISTINCT FROM fresh.keys
$$
"""

# (name, table, event, referencing, the minutes to refresh)
STATEMENT_TRIGGERS = [
    ("cabinet_minute_portfolio_added", "cabinet_minute_portfolios", "INSERT", "NEW TABLE AS new_rows",
     "SELECT minute_id FROM new_rows"),
    ("cabinet_minute_portfolio_removed", "cabinet_minute_portfolios", "DELETE", "OLD TABLE AS old_rows",
     "SELECT minute_id FROM old_rows"),
    ("cabinet_paper_lead_changed", "cabinet_paper", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
     "SELECT minute.id FROM cabinet_minute AS minute JOIN new_rows ON minute.paper_id = new_rows.id "
     "JOIN old_rows ON old_rows.id = new_rows.id WHERE old_rows.lead_agency_id IS DISTINCT FROM new_rows.lead_agency_id"),
    ("decisions_followup_added", "decisions_followup", "INSERT", "NEW TABLE AS new_rows",
     "SELECT minute_id FROM new_rows"),
    ("decisions_followup_removed", "decisions_followup", "DELETE", "OLD TABLE AS old_rows",
     "SELECT minute_id FROM old_rows"),
    ("decisions_followup_changed", "decisions_followup", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
     "SELECT unnest(ARRAY[old_rows.minute_id, new_rows.minute_id]) FROM old_rows JOIN new_rows ON old_rows.id = new_rows.id "
     "WHERE (old_rows.minute_id, old_rows.responsible_agency_id, old_rows.responsible_portfolio_id) "
     "IS DISTINCT FROM (new_rows.minute_id, new_rows.responsible_agency_id, new_rows.responsible_portfolio_id)"),
]


def statement_trigger(name, table, event, referencing, minutes):
    return [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"PERFORM cabinet_minute_refresh_access_keys(ARRAY(SELECT DISTINCT minute FROM ({minutes}) AS touched(minute) "
        f"WHERE minute IS NOT NULL)); RETURN NULL; END $$",
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]


FORWARD = [
    "ALTER TABLE cabinet_minute ADD COLUMN access_keys bigint[] NOT NULL DEFAULT '{}'",
    KEYS_OF_A_MINUTE,
    REFRESH,
    "CREATE FUNCTION cabinet_minute_own_access_keys() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "NEW.access_keys := cabinet_minute_access_keys(NEW.id, NEW.paper_id); RETURN NEW; END $$",
    "CREATE TRIGGER cabinet_minute_own_access_keys BEFORE INSERT OR UPDATE OF paper_id ON cabinet_minute "
    "FOR EACH ROW EXECUTE FUNCTION cabinet_minute_own_access_keys()",
    *[statement for trigger in STATEMENT_TRIGGERS for statement in statement_trigger(*trigger)],
    "UPDATE cabinet_minute SET access_keys = cabinet_minute_access_keys(id, paper_id)",
    "CREATE INDEX cabinet_minute_access_keys ON cabinet_minute USING gin (access_keys)",
]

BACKWARD = [
    *[f"DROP TRIGGER {name} ON {table}" for name, table, *_ in STATEMENT_TRIGGERS],
    *[f"DROP FUNCTION {name}()" for name, *_ in STATEMENT_TRIGGERS],
    "DROP TRIGGER cabinet_minute_own_access_keys ON cabinet_minute",
    "DROP FUNCTION cabinet_minute_own_access_keys()",
    "DROP FUNCTION cabinet_minute_refresh_access_keys(bigint[])",
    "DROP FUNCTION cabinet_minute_access_keys(bigint, bigint)",
    "ALTER TABLE cabinet_minute DROP COLUMN access_keys",
]


class Migration(migrations.Migration):

    dependencies = [
        ("cabinet", "0010_paper_text"),
        ("decisions", "0016_machinery_notice"),
    ]

    operations = [
        migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD), elidable=False),
    ]
