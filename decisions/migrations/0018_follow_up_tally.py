"""The register's follow-ups counted by status, due date and kind, kept by PostgreSQL: the dashboard's counts.

A clerk's or reader's dashboard counts every follow-up of the register on each request: how many of each status,
and how many owed (open or extension requested) are overdue, due soon, due later or undated. Grouping 20,000
follow-ups took 10 ms of each request. This table holds the same counts already grouped, one row for each status,
due date and whether a report-back, with the due date kept only while the follow-up is owed (the dashboard groups
only those by date): about 5,000 rows for 20,000 follow-ups, grouped again in 1.5 ms.

Triggers keep it right, once a statement (transition tables), so a bulk change (a machinery-of-government change,
COPY in the register generator) is one statement here: each statement's follow-ups inserted, changed or deleted are
grouped into +1 and -1 by their key, and the counts that change are added in one INSERT ... ON CONFLICT, in key
order; a count that falls to zero is removed. A count can never go below zero: a tally out of step with its
follow-ups fails the statement that finds it (an integrity error) rather than showing a wrong number. TRUNCATE of the
follow-ups (Django's flush) empties it.

Two transactions that change follow-ups of the same key (status, due date and kind) take turns on its row until
the first commits: an import of hundreds of follow-ups holds its keys for its few seconds.

PostgreSQL only: SQLite, the embedded default, counts the follow-ups themselves (decisions/views.py, dashboard).
The owed statuses here are FollowUp.ACTIVE_STATUSES (tests/test_follow_up_tally.py checks the two agree).
"""

from django.db import migrations, models

from cabinet.postgres import on_postgresql

TABLE = "decisions_followup_tally"
OWED = "('open', 'extension')"


def _keys(rows, change):
    """The tally key of each follow-up in `rows`, with `change` (+1 or -1)."""
    return (
        f"SELECT status, CASE WHEN status IN {OWED} THEN due_date END, kind = 'report_back', {change} FROM {rows}"
    )


# (name, event, referencing, the follow-ups' keys with +1 or -1)
TRIGGERS = [
    ("decisions_followup_tally_added", "INSERT", "NEW TABLE AS new_rows", _keys("new_rows", 1)),
    ("decisions_followup_tally_removed", "DELETE", "OLD TABLE AS old_rows", _keys("old_rows", -1)),
    ("decisions_followup_tally_changed", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
     f"{_keys('new_rows', 1)} UNION ALL {_keys('old_rows', -1)}"),
]


def tally_trigger(name, event, referencing, keys):
    return [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"INSERT INTO {TABLE} AS tally (status, due_date, report_back, follow_ups) "
        f"SELECT status, due_date, report_back, sum(change) FROM ({keys}) AS touched(status, due_date, report_back, change) "
        "GROUP BY status, due_date, report_back HAVING sum(change) <> 0 "
        "ORDER BY status, due_date, report_back "
        "ON CONFLICT (status, due_date, report_back) DO UPDATE SET follow_ups = tally.follow_ups + excluded.follow_ups; "
        f"IF EXISTS (SELECT FROM {TABLE} WHERE follow_ups < 0) THEN RAISE EXCEPTION "
        "'The follow-up tally is out of step with the follow-ups: a count fell below zero.' "
        "USING ERRCODE = 'check_violation'; END IF; "
        f"DELETE FROM {TABLE} WHERE follow_ups = 0; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER {name} AFTER {event} ON decisions_followup REFERENCING {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]


FORWARD = [
    # NULLS NOT DISTINCT (PostgreSQL 15): the undated and the no-longer-owed follow-ups of a status share a row.
    f"CREATE TABLE {TABLE} (status varchar(12) NOT NULL, due_date date NULL, report_back boolean NOT NULL, "
    "follow_ups bigint NOT NULL, "
    f"CONSTRAINT {TABLE}_key UNIQUE NULLS NOT DISTINCT (status, due_date, report_back))",
    # A count at zero is removed as soon as it gets there, and one below zero is refused: the index finds either
    # without reading the others. (Not a CHECK: PostgreSQL checks the row an upsert would insert, a decrement's too.)
    f"CREATE INDEX {TABLE}_spent ON {TABLE} (follow_ups) WHERE follow_ups <= 0",
    *[statement for trigger in TRIGGERS for statement in tally_trigger(*trigger)],
    f"CREATE FUNCTION {TABLE}_emptied() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM {TABLE}; RETURN NULL; END $$",
    f"CREATE TRIGGER {TABLE}_emptied AFTER TRUNCATE ON decisions_followup FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_emptied()",
    # The triggers above already hold the follow-ups against writers until this migration commits.
    f"INSERT INTO {TABLE} (status, due_date, report_back, follow_ups) "
    f"SELECT status, due_date, report_back, sum(change) FROM ({_keys('decisions_followup', 1)}) "
    "AS counted(status, due_date, report_back, change) GROUP BY status, due_date, report_back",
]

BACKWARD = [
    f"DROP TRIGGER {TABLE}_emptied ON decisions_followup",
    f"DROP FUNCTION {TABLE}_emptied()",
    *[f"DROP TRIGGER {name} ON decisions_followup" for name, *_ in TRIGGERS],
    *[f"DROP FUNCTION {name}()" for name, *_ in TRIGGERS],
    f"DROP TABLE {TABLE}",
]


class Migration(migrations.Migration):

    dependencies = [
        ("decisions", "0017_minute_access_keys"),
    ]

    operations = [
        migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD), elidable=False),
        # Read by the ORM (decisions.models.FollowUpTally); the table is the one made above, or none on SQLite.
        migrations.CreateModel(
            name="FollowUpTally",
            fields=[
                ("status", models.CharField(max_length=12, primary_key=True, serialize=False)),
                ("due_date", models.DateField(null=True)),
                ("report_back", models.BooleanField()),
                ("follow_ups", models.BigIntegerField()),
            ],
            options={"db_table": "decisions_followup_tally", "managed": False},
        ),
    ]
