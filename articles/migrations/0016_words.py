"""PostgreSQL: the words of the full-text index, one row each, so that a truncated word's
first 600 variants (as PubMed limits truncation) are read by range from an index instead of
from every tsvector (``PostgresBackend.variants``). Filled here from the index rows (ts_stat
reads them all once); ingest adds the words of what it indexes. SQLite reads its index's own
word list (fts5vocab) and needs nothing."""

from django.db import migrations

CREATE = (
    'CREATE TABLE IF NOT EXISTS articles_words (term text COLLATE "C" PRIMARY KEY)',
    "INSERT INTO articles_words (term) "
    "SELECT word FROM ts_stat('SELECT document FROM articles_search') "
    "UNION SELECT word FROM ts_stat('SELECT affiliations FROM articles_search') "
    "ON CONFLICT DO NOTHING",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in CREATE:
            cursor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS articles_words")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_concept_search"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
