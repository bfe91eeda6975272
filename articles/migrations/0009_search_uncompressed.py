"""PostgreSQL: keep the full-text index's tsvectors uncompressed in their rows unless a row
outgrows a page (``PostgresBackend.set_storage``): unpacking them was half the time of reading
a common word's hits and of testing a phrase's. The rows already compressed are rewritten
here: one pass over them, then the indexes are built again, as in migration 0008 (4 min 12 s
for 599,711 of 1,000,000 rows); ``VACUUM FULL articles_search`` or ``manage.py
rebuild_search_index`` afterwards gives the space back. Nothing to do on SQLite.

The SQL is written out here as the search code ran it when this migration was written, so
that later changes to that code cannot change what this migration does."""

from importlib import import_module

from django.db import migrations

# The indexes the rewrite drops and builds again: those of migration 0008, the same then.
INDEXES = import_module("articles.migrations.0008_search_pub_date")
# Migration 0007 set the columns' storage (in the row, lz4); a row is now compressed only
# past a page.
ROW_TARGET = "ALTER TABLE articles_search SET (toast_tuple_target = 8160)"
COMPRESSED = (
    "pg_column_compression(document) IS NOT NULL OR pg_column_compression(affiliations) IS NOT NULL"
)


def uncompress(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(ROW_TARGET)
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM articles_search WHERE {COMPRESSED})")
        if cursor.fetchone()[0]:
            for sql in INDEXES.DROP_INDEXES:
                cursor.execute(sql)
            # A tsvector joined to an empty one is the same tsvector, written anew.
            cursor.execute(
                "UPDATE articles_search SET document = document || ''::tsvector, "
                f"affiliations = affiliations || ''::tsvector WHERE {COMPRESSED}"
            )
            for sql in INDEXES.CREATE_INDEXES:
                cursor.execute(sql)


def compress(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE articles_search RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_search_pub_date"),
    ]

    operations = [
        migrations.RunPython(uncompress, compress, elidable=True),
    ]
