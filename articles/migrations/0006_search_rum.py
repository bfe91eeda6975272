"""PostgreSQL with the ``rum`` extension available (Debian: postgresql-15-rum): index
``document`` with RUM instead of GIN, so that a search's best matches come from the index in
order (``articles.search.backends``). Without the extension, or without the right to create
it, nothing changes and relevance is ts_rank as before. SQLite: nothing to do."""

from django.db import DatabaseError, migrations, transaction


def use_rum(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from articles.search.backends import PostgresBackend

    backend = PostgresBackend()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        if cursor.fetchone() is None:
            return
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS rum")
        except DatabaseError:
            return  # not allowed to create extensions here: GIN it stays
        backend.drop_indexes(cursor)
        backend.create_indexes(cursor)


def use_gin(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from articles.search.backends import RUM_INDEX, TABLE

    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {RUM_INDEX}")
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {TABLE}_doc_gin ON {TABLE} USING gin (document)"
        )
    from articles.search.backends import _RUM_INDEXED

    _RUM_INDEXED.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_browse"),
    ]

    operations = [migrations.RunPython(use_rum, use_gin)]
