"""History: attributing rows to a user outside a web request, and keeping history tables append-only."""

from contextlib import contextmanager
from types import SimpleNamespace

from django.db.migrations.operations.base import Operation
from simple_history.models import HistoricalRecords


@contextmanager
def acting_as(user):
    """Every history row written inside the block records `user` as the one who made the change."""
    previous = getattr(HistoricalRecords.context, "request", None)
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del HistoricalRecords.context.request
        else:
            HistoricalRecords.context.request = previous


# PostgreSQL refuses UPDATE and DELETE on append-only tables (history, the access log) whoever asks: the
# admin, a command, a shell, a bug. A table given a purge column also lets a DELETE through for rows older
# than the `cabinet.purge_before` setting of the same transaction (`manage.py purgeaccesslog` sets it).
REFUSE_CHANGE_FUNCTION = """
CREATE OR REPLACE FUNCTION cabinet_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_NARGS > 0
       AND (to_jsonb(OLD) ->> TG_ARGV[0])::timestamptz
           < NULLIF(current_setting('cabinet.purge_before', true), '')::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END;
$$
"""
TRIGGER_NAME = "append_only"


class AppendOnly(Operation):
    """Migration operation: on PostgreSQL, a trigger on each table refuses UPDATE and DELETE (nothing on SQLite)."""

    reversible = True

    def __init__(self, tables, purge_column=None):
        self.tables, self.purge_column = list(tables), purge_column

    def deconstruct(self):
        kwargs = {"tables": self.tables}
        if self.purge_column:
            kwargs["purge_column"] = self.purge_column
        return "cabinet.history.AppendOnly", [], kwargs

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(REFUSE_CHANGE_FUNCTION, params=None)
        argument = f"'{self.purge_column}'" if self.purge_column else ""
        for table in self.tables:
            schema_editor.execute(
                f"CREATE OR REPLACE TRIGGER {TRIGGER_NAME} BEFORE UPDATE OR DELETE ON {schema_editor.quote_name(table)} "
                f"FOR EACH ROW EXECUTE FUNCTION cabinet_refuse_change({argument})"
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in self.tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER_NAME} ON {schema_editor.quote_name(table)}")

    def describe(self):
        return f"Refuse UPDATE and DELETE on {len(self.tables)} append-only table(s) (PostgreSQL)"
