"""Writing many rows in one go: PostgreSQL's COPY, and staging tables for rows that may exist.

``INSERT`` through ``executemany`` costs PostgreSQL a statement per row (parse, plan,
execute, a round of the protocol); COPY streams the rows into the table in one statement,
and the server only parses each value. So an ingest writes new rows by ``copy_rows``, and
rows that may already be stored (a journal, a MeSH descriptor, an article being updated) by
COPY into a staging table (``stage``) and one set-based ``INSERT ... SELECT`` or
``UPDATE ... FROM`` from it.

Every function takes the caller's Django cursor, so the rows are written in its transaction,
and a row the database refuses raises Django's ``DatabaseError`` as ``execute`` would: COPY
refuses the whole statement, and the caller's retry goes on from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def copy_rows(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """COPY ``rows`` (tuples in the order of ``columns``) into ``table``. Values go as
    text and the server reads them by each column's type, as it reads the parameters of an
    ``INSERT``: an ISO date string into a date column, a JSON string into a jsonb one."""
    quote = cursor.db.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with (
        cursor.db.wrap_database_errors,
        cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def stage(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> str:
    """Put ``rows`` in a temporary table with ``columns`` typed as ``table``'s (no
    constraints) and return its name, quoted. It is this session's alone, made the first time a
    transaction needs it and emptied here and at each commit (a rolled-back transaction
    takes it away, hence ``IF NOT EXISTS`` every time)."""
    quote = cursor.db.ops.quote_name
    name = f"staging_{table}"
    names = ", ".join(quote(c) for c in columns)
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {quote(name)} ON COMMIT DELETE ROWS AS "
        f"SELECT {names} FROM {quote(table)} WITH NO DATA"
    )
    cursor.execute(f"DELETE FROM {quote(name)}")  # what an earlier use in this transaction left
    copy_rows(cursor, name, columns, rows)
    return quote(name)
