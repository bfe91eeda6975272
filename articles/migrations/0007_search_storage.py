"""PostgreSQL: keep the full-text index's tsvectors in their rows (``STORAGE MAIN``),
lz4-compressed where the server has lz4 (migration 0009 then keeps them uncompressed up to a
page). Only the storage of rows written from now on changes: ``manage.py
rebuild_search_index`` rewrites the rows already there. Nothing to do on SQLite.

The SQL is written out here as the search code ran it when this migration was written, so
that later changes to that code cannot change what this migration does."""

from django.db import migrations

SET_STORAGE = (
    "ALTER TABLE articles_search ALTER COLUMN document SET STORAGE MAIN",
    "ALTER TABLE articles_search ALTER COLUMN affiliations SET STORAGE MAIN",
)
LZ4 = (
    "ALTER TABLE articles_search ALTER COLUMN document SET COMPRESSION lz4",
    "ALTER TABLE articles_search ALTER COLUMN affiliations SET COMPRESSION lz4",
)


def set_storage(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in SET_STORAGE:
            cursor.execute(sql)
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
        if row and "lz4" in (row[0] or []):
            for sql in LZ4:
                cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_ingestrun_blocked"),
    ]

    operations = [
        migrations.RunPython(set_storage, migrations.RunPython.noop, elidable=True),
    ]
