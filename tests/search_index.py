"""The search tables ``flush`` does not know, for module fixtures that store records."""

from django.db import connection

from articles.search.backends import TABLE, TERMS_TABLE


def empty_search_index() -> None:
    """Empty the search tables ``flush`` does not know (they are not models): the index and,
    on PostgreSQL, the words it has held (``search.backends.TERMS_TABLE``), which decide
    where a truncated word's 600 variants end. For module fixtures, before and after."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        if connection.vendor == "postgresql":
            cursor.execute(f"DELETE FROM {TERMS_TABLE}")
