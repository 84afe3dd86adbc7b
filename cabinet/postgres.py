"""What is done on PostgreSQL alone: a migration's triggers, indexes and extensions, and a planner setting for a few
queries. SQLite, the embedded default, skips them."""

from contextlib import contextmanager

from django.db import connection, transaction


def on_postgresql(statements):
    """A RunPython function that executes `statements` in order on PostgreSQL and does nothing elsewhere."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


@contextmanager
def set_locally(name, value):
    """PostgreSQL: the planner setting `name` = `value` (trusted text, not user input) for the queries inside.

    It is set with SET LOCAL in a transaction opened for them, so the rest of the connection is left as it was.
    Inside a transaction someone else opened, nothing is set: it would last until that transaction ends.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL {name} = {value}")
        yield
