"""The full-text index: an FTS5 table on SQLite, a tsvector table with GIN indexes on
PostgreSQL (see ``articles.search.backends``).

The SQL is written out here as the search code of today creates the table, so that changing
that code cannot change what this migration does (the PostgreSQL table already has the
``pub_date`` column and the storage settings that migrations 0007-0009 add to older tables;
they find nothing left to do on a table made here).

The table is left empty. Filling it needs the search code's tokenizer (documents are written
as tokens from Python, on both databases), which no frozen SQL can stand for; migration 0015
rebuilds the whole index from the articles through ``manage.py rebuild_search_index``, and
every database migrating past this one runs it. Until 0015 has run, searches find nothing.
"""

import django.db.models.deletion
from django.db import migrations, models

import articles.models

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE articles_search USING fts5("
    "title, abstract, terms, authors, affiliations, tokenize = 'ascii')",
)
POSTGRES_CREATE = (
    "CREATE TABLE articles_search (rowid integer PRIMARY KEY, "
    "document tsvector NOT NULL, affiliations tsvector NOT NULL, pub_date date)",
    # Migration 0007 explains the storage, 0008 the date, 0010 the index of the newest rows.
    "ALTER TABLE articles_search ALTER COLUMN document SET STORAGE MAIN",
    "ALTER TABLE articles_search ALTER COLUMN affiliations SET STORAGE MAIN",
    "ALTER TABLE articles_search SET (toast_tuple_target = 8160)",
    "CREATE INDEX articles_search_doc_gin ON articles_search USING gin (document)",
    "CREATE INDEX articles_search_aff_gin ON articles_search USING gin (affiliations)",
    "CREATE INDEX articles_search_date ON articles_search (pub_date)",
)
LZ4 = (
    "ALTER TABLE articles_search ALTER COLUMN document SET COMPRESSION lz4",
    "ALTER TABLE articles_search ALTER COLUMN affiliations SET COMPRESSION lz4",
)


def create_index(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    with schema_editor.connection.cursor() as cursor:
        for sql in POSTGRES_CREATE if postgres else SQLITE_CREATE:
            cursor.execute(sql)
        if postgres and lz4_available(cursor):
            for sql in LZ4:
                cursor.execute(sql)


def lz4_available(cursor) -> bool:
    """Whether the server was built with lz4 (else tsvectors past a page stay pglz)."""
    cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
    row = cursor.fetchone()
    return bool(row and "lz4" in (row[0] or []))


def drop_index(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS articles_search")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_mesh_concepts_facts"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        db_column="rowid",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                (
                    "document",
                    articles.models.SearchDocumentField(editable=False),
                ),
            ],
            options={
                "db_table": "articles_search",
                "managed": False,
            },
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["pmid", "deleted_at"], name="article_visible_idx"),
        ),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
