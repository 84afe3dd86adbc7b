"""What a migration does on PostgreSQL alone (triggers, indexes, extensions); SQLite, the embedded default, skips it."""


def on_postgresql(statements):
    """A RunPython function that executes `statements` in order on PostgreSQL and does nothing elsewhere."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run
