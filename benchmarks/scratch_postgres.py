"""A PostgreSQL database made for one benchmark run and dropped after it.

The server is ``BENCH_PG`` (default: the local one, trust auth); the benchmarks' own
databases are named ``casebook_bench_*`` so that a run never touches anything else.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def scratch_database(name: str) -> Iterator[str]:
    """Create ``name`` afresh (dropping one left by a crashed run), yield its URL, drop it."""
    if not name.startswith("casebook_bench_"):
        raise ValueError(f"{name}: not a benchmark database")
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{SERVER}/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
