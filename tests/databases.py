"""The test database as an address for a second connection or process of one's own (PostgreSQL)."""

from django.db import connection


def database_url():
    """DATABASE_URL of the database the tests run on (the test database, not the one configured)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
