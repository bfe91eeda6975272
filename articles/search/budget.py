"""A time budget for each database query of a search, so that a query anyone can type
(``a* OR b* OR ... OR z*``, or whatever comes next) is stopped with a clear message instead
of holding a worker for seconds.

``settings.QUERY_BUDGET_MS`` (``CASEBOOK_QUERY_BUDGET_MS``; 0 turns it off) is the most one
statement may take, fetching its rows included:

- PostgreSQL: ``statement_timeout``, set for the block and put back after it. Inside a
  transaction (tests, an atomic view) the block is a savepoint, so that a cancelled
  statement rolls back only the block and the transaction goes on.
- SQLite: a progress handler, called every ``SQLITE_STEPS`` virtual-machine steps, that
  interrupts the running statement once it is past its deadline; each statement gets a
  fresh deadline when it starts (an execute wrapper). No transaction: with
  ``transaction_mode = IMMEDIATE`` one would take the write lock and queue readers behind
  ingest.

A stopped query raises ``QueryTooSlow``, which the list page and the API turn into a 503.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import OperationalError, connections
from psycopg.errors import QueryCanceled

# How often SQLite asks the handler whether to go on. 10,000 steps take 50-200 us, so a
# query overruns its budget by well under a millisecond.
SQLITE_STEPS = 10_000
MESSAGE = (
    "This search took too long (over {seconds}) and was stopped. Narrow it: add words or "
    "filters, or give truncated words a longer stem (asthm* rather than a*)."
)


class QueryTooSlow(Exception):
    """A query ran past its budget and was stopped."""

    def __init__(self, budget_ms: int) -> None:
        self.budget_ms = budget_ms
        seconds = f"{budget_ms / 1000:g} s" if budget_ms >= 1000 else f"{budget_ms} ms"
        super().__init__(MESSAGE.format(seconds=seconds))


def budget_ms() -> int:
    """The budget in milliseconds; 0 when there is none."""
    return max(int(getattr(settings, "QUERY_BUDGET_MS", 0) or 0), 0)


@contextmanager
def query_budget(using: str = "default") -> Iterator[None]:
    """Run the block with each query of connection ``using`` limited to the budget;
    ``QueryTooSlow`` when one is stopped."""
    ms = budget_ms()
    connection = connections[using]
    if not ms or connection.vendor not in ("postgresql", "sqlite"):
        yield
        return
    budgeted = _postgres if connection.vendor == "postgresql" else _sqlite
    try:
        with budgeted(connection, ms):
            yield
    except OperationalError as error:
        if _was_stopped(error):
            raise QueryTooSlow(ms) from error
        raise


def _was_stopped(error: OperationalError) -> bool:
    cause = error.__cause__
    if isinstance(cause, sqlite3.OperationalError):
        return str(cause) == "interrupted"
    return isinstance(cause, QueryCanceled)


@contextmanager
def _postgres(connection, ms: int) -> Iterator[None]:
    # On the driver's connection: these statements are the budget's, not the page's (nor
    # counted as its queries).
    connection.ensure_connection()
    raw = connection.connection
    nested = connection.in_atomic_block
    if nested:
        raw.execute("SAVEPOINT query_budget")
    previous = raw.execute(
        "SELECT current_setting('statement_timeout'), set_config('statement_timeout', %s, false)",
        [f"{ms}ms"],
    ).fetchone()[0]
    try:
        yield
    except BaseException:
        if nested:  # the transaction may be aborted: back to before the block
            raw.execute("ROLLBACK TO SAVEPOINT query_budget")
        raise
    finally:
        if connection.connection is raw and not raw.closed:
            raw.execute("SELECT set_config('statement_timeout', %s, false)", [previous])
            if nested:
                raw.execute("RELEASE SAVEPOINT query_budget")


@contextmanager
def _sqlite(connection, ms: int) -> Iterator[None]:
    connection.ensure_connection()
    raw = connection.connection
    deadline = [time.monotonic() + ms / 1000]

    def started(execute, sql, params, many, context):
        deadline[0] = time.monotonic() + ms / 1000
        return execute(sql, params, many, context)

    def past_deadline() -> bool:
        return time.monotonic() > deadline[0]  # true: SQLite interrupts the statement

    raw.set_progress_handler(past_deadline, SQLITE_STEPS)
    try:
        with connection.execute_wrapper(started):
            yield
    finally:
        raw.set_progress_handler(None, SQLITE_STEPS)
