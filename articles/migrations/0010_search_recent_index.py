"""PostgreSQL: a second GIN index over the newest rows of the full-text index, which the
bounded best match reads its window from (``PostgresBackend.place_recent``); built only where
the index is large enough to want one (at 1,000,000 abstracts: the newest 398,929 rows). Ingest
moves it as new records come in; ``rebuild_search_index`` builds it again. Nothing to do on
SQLite."""

from django.db import migrations


def place(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from articles.search.backends import PostgresBackend

    with schema_editor.connection.cursor() as cursor:
        PostgresBackend().place_recent(cursor)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from articles.search.backends import RECENT_INDEX

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {RECENT_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_search_uncompressed"),
    ]

    operations = [
        migrations.RunPython(place, drop, elidable=True),
    ]
