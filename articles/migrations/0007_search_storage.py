"""PostgreSQL: keep the full-text index's tsvectors in their rows, lz4-compressed
(``PostgresBackend.set_storage``). Only the storage of rows written from now on changes:
``manage.py rebuild_search_index`` rewrites the rows already there. Nothing to do on SQLite."""

from django.db import migrations


def set_storage(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from articles.search.backends import PostgresBackend

    with schema_editor.connection.cursor() as cursor:
        PostgresBackend().set_storage(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_ingestrun_blocked"),
    ]

    operations = [
        migrations.RunPython(set_storage, migrations.RunPython.noop, elidable=True),
    ]
