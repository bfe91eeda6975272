"""PostgreSQL: a second GIN index over the newest rows of the full-text index, which the
bounded best match reads its window from (``PostgresBackend.place_recent``); built only where
the index is large enough to want one (at 1,000,000 abstracts: the newest 398,929 rows). Ingest
moves it as new records come in; ``rebuild_search_index`` builds it again. Nothing to do on
SQLite.

The size is worked out here as the search code worked it out when this migration was written
(``backends.largest_window`` for the list's 10,001 matches), with its constants written out,
so that later changes to that code cannot change what this migration does; ingest and
``rebuild_search_index`` move the index to where the code of their day wants it."""

import math

from django.db import migrations

# The rows the largest first window of the bounded best match reads:
# WINDOW_MARGIN * sqrt(RANK_LIMIT * indexed / BREAK_EVEN) + 1% of the rows.
WINDOW_MARGIN = 1.1
RANK_LIMIT = 10_001
BREAK_EVEN = 0.08


def recent_rows(indexed: int) -> int | None:
    """How many of the newest of ``indexed`` rows the index holds, or None for no index (it
    would hold over half of them)."""
    rows = math.ceil(WINDOW_MARGIN * math.sqrt(RANK_LIMIT * indexed / BREAK_EVEN) + indexed / 100)
    return rows if 0 < 2 * rows <= indexed else None


def place(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM articles_search")
        wanted = recent_rows(cursor.fetchone()[0])
        cursor.execute("DROP INDEX IF EXISTS articles_search_recent_gin")
        if wanted is None:
            return
        cursor.execute(
            "SELECT rowid FROM articles_search ORDER BY rowid DESC OFFSET %s LIMIT 1", [wanted - 1]
        )
        boundary = int(cursor.fetchone()[0])
        cursor.execute(
            "CREATE INDEX articles_search_recent_gin ON articles_search USING gin (document) "
            f"WHERE rowid >= {boundary}"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS articles_search_recent_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_search_uncompressed"),
    ]

    operations = [
        migrations.RunPython(place, drop, elidable=True),
    ]
