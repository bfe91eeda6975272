"""Where an ingest's time goes, phase by phase, in CPU milliseconds per record.

    python benchmarks/ingest_profile.py [PATH] [--keep DB] [--database postgres]

Runs ``ingest_files`` on one file (default: NLM's 30,000-record baseline file pubmed20n0014
from ../shared) into a fresh SQLite database, or with ``--database postgres`` a scratch
PostgreSQL database ``casebook_bench_profile`` (``scratch_postgres``), in one process (no
parser processes, so every phase is on this process's clock), and charges the CPU time, and
the wall time, to the innermost phase running:

  split          cutting the file into records (``iter_raw_records``: gzip and byte search)
  XML -> records ``map_raw_items``: lxml parse of each record and mapping to record types
  rows           building the table rows of a record (``add_article_rows`` without the next
                 three), including the source XML as it is stored and its hash
  MeSH concepts  ``classify.article_concepts``: headings and substances to diseases/therapies
  text concepts  ``recognise``: the concept recogniser over title, abstract and keywords
  facts          ``facts.extract``: case-series facts
  SQL            the writer's statements (``Writer._write`` without the next two)
  search index   ``search.index.refresh`` of the batch's articles
  commit         the end of each batch's transaction
  other          everything else (batching, the command's own work)

Timers wrap the module-level functions the pipeline calls, so they cost a microsecond or two
per call (a few ms per thousand records) and nothing inside the phases. Wall time is printed
too: the difference from CPU is mostly the database file's writes on SQLite, and the
server's work on PostgreSQL (the phases' wall time shows where).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from scratch_postgres import scratch_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "pubmed" / "baseline" / "pubmed20n0014.xml.gz"
sys.path.insert(0, str(ROOT))

PHASES = [
    "split",
    "XML -> records",
    "rows",
    "MeSH concepts",
    "text concepts",
    "facts",
    "SQL",
    "search index",
    "commit",
    "other",
]


class Clock:
    """Charges CPU and wall time to the innermost running phase."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self.waited: dict[str, float] = defaultdict(float)
        self.stack = ["other"]
        self.mark = time.process_time()
        self.wall_mark = time.perf_counter()

    def switch(self, phase: str | None) -> None:
        now, wall = time.process_time(), time.perf_counter()
        self.spent[self.stack[-1]] += now - self.mark
        self.waited[self.stack[-1]] += wall - self.wall_mark
        self.mark, self.wall_mark = now, wall
        if phase is None:
            self.stack.pop()
        else:
            self.stack.append(phase)

    def wrap(self, phase: str, function):
        def timed(*args, **kwargs):
            self.switch(phase)
            try:
                return function(*args, **kwargs)
            finally:
                self.switch(None)

        return timed

    def wrap_generator(self, phase: str, function):
        """For generators: time each step, not the call that makes the generator."""

        def timed(*args, **kwargs):
            iterator = iter(function(*args, **kwargs))
            while True:
                self.switch(phase)
                try:
                    item = next(iterator)
                except StopIteration:
                    return
                finally:
                    self.switch(None)
                yield item

        return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--keep", help="write the database here instead of a temporary file")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()

    if args.database == "postgres":
        with scratch_database("casebook_bench_profile") as url:
            os.environ["DATABASE_URL"] = url
            profile(args.path, None)
    else:
        tmp = tempfile.TemporaryDirectory()
        database = args.keep or os.path.join(tmp.name, "profile.sqlite3")
        if os.path.exists(database):
            os.unlink(database)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
        profile(args.path, database)


def profile(path: str, database: str | None) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "casebook.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.backends.base import base as db_base

    from articles.ingest import files as ingest
    from articles.search import index as search_index
    from articles.text import classify, facts

    call_command("migrate", verbosity=0)
    ingest.text_vocabulary()  # loaded before the clock starts: its own figure is elsewhere

    clock = Clock()
    ingest.iter_raw_records = clock.wrap_generator("split", ingest.iter_raw_records)
    ingest.map_raw_items = clock.wrap("XML -> records", ingest.map_raw_items)
    ingest.add_article_rows = clock.wrap("rows", ingest.add_article_rows)
    ingest.article_concepts = clock.wrap("MeSH concepts", classify.article_concepts)
    ingest.recognise = clock.wrap("text concepts", ingest.recognise)
    facts.extract = clock.wrap("facts", facts.extract)
    ingest.Writer._write = clock.wrap("SQL", ingest.Writer._write)
    search_index.refresh = clock.wrap("search index", search_index.refresh)
    db_base.BaseDatabaseWrapper.commit = clock.wrap("commit", db_base.BaseDatabaseWrapper.commit)

    wall = time.perf_counter()
    clock.mark, clock.wall_mark = time.process_time(), time.perf_counter()
    stats = ingest.ingest_files([path], workers=0)
    clock.switch(None)
    wall = time.perf_counter() - wall

    records = stats.records or 1
    total = sum(clock.spent.values())
    if database:
        size = os.path.getsize(database) + sum(
            os.path.getsize(database + s) for s in ("-wal", "-shm") if os.path.exists(database + s)
        )
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
        connection.close()
    print(f"{path} ({connection.vendor}): {records:,} records, {stats.summary()}")
    print(f"{'phase':16} {'CPU s':>7} {'ms/record':>10} {'share':>6} {'wall s':>7}")
    for phase in PHASES:
        spent = clock.spent.get(phase, 0.0)
        print(
            f"{phase:16} {spent:7.2f} {1000 * spent / records:10.3f} "
            f"{100 * spent / total:5.1f}% {clock.waited.get(phase, 0.0):7.2f}"
        )
    print(f"{'total CPU':16} {total:7.2f} {1000 * total / records:10.3f}")
    print(f"wall {wall:.1f} s, {records / wall:,.0f} records/s; database {size / 1e6:,.0f} MB")


if __name__ == "__main__":
    main()
