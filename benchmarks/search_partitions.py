"""Would a partitioned full-text index make best match simple on PostgreSQL? An experiment.

    python benchmarks/search_partitions.py [--url postgres://postgres@127.0.0.1:5432/casebook_browse_1000000]
        [--width 50000000] [--repeat 20]

Today best match past 10,000 hits ranks the 10,001 newest hits (highest PMIDs), and finding
them in PostgreSQL's GIN index takes estimates, windows and a second index of the newest rows
(``articles/search/filtering.py``). The simple design issue #24 asks to try first: the index
table partitioned by PMID range (native declarative partitioning), each partition with its own
GIN index, walked newest partition first until 10,001 hits are found, then ranked.

This builds that table beside the real one, in the database ``benchmarks/browse.py`` built
(``casebook_browse_1000000``: 50,783 distinct records of NLM's pubmed20n0014 and
pubmed21n1298, copied under new PMIDs 50,000,000 apart, so one partition of the default width
holds one copy). It then times, for the searches of ``benchmarks/search.py`` that rank by best
match, p50/p95 over ``--repeat`` runs of

- the walk: the partitions' hits with their rank, newest partition first, until more than
  10,000 are found; the newest 10,001 kept and sorted by rank (the page's first PMIDs);
- today's code on the same database: ``search()`` and ``first_pks()``, the call the list page
  makes for its first PMIDs.

The last column says how many of the first 20 PMIDs the two share: today's code ranks the
hits of a window of the newest rows, which can hold a few more than 10,001. Newest first
(``sort=pubdate``) is not timed: partitions by PMID do not give publication-date order.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE = "bench_search_parts"
LIMIT = 10_001  # the list's first CAP + 1 matches
QUERIES = [
    ("rare term", "sarcoidosis", None),
    ("common term (~10%)", "blood", None),
    ("phrase", '"blood pressure"', None),
    ("boolean + field tag", "(fever OR infection) AND children[tiab]", None),
    ("term + disease (Hypertension)", "blood", "D006973"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", default="postgres://postgres@127.0.0.1:5432/casebook_browse_1000000"
    )
    parser.add_argument("--width", type=int, default=50_000_000, help="PMIDs per partition")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebook.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        partitions = build(cursor, args.width)
        cursor.execute("SELECT COUNT(*) FROM articles_search")
        rows = cursor.fetchone()[0]
    print(f"{rows:,} index rows in {len(partitions)} partitions of {args.width:,} PMIDs")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(
        f"{'query':<30} {'hits':>8} {'walked':>6}  {'walk p50':>8} {'p95':>6}  "
        f"{'today p50':>9} {'p95':>6}  {'same page':>9}"
    )
    for label, term, disease in QUERIES:
        walk_times, today_times = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            walked, count, parts = walk(partitions, term, disease)
            walk_times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            today = todays(term, disease)
            today_times.append((time.perf_counter() - started) * 1000)
            shared = len(set(walked[:20]) & set(today[:20]))
        hits = f"{count:,}" if count < LIMIT else "10,000+"
        print(
            f"{label:<30} {hits:>8} {parts:>6}  {p(walk_times, 50):>8.1f} "
            f"{p(walk_times, 95):>6.1f}  {p(today_times, 50):>9.1f} {p(today_times, 95):>6.1f}  "
            f"{shared:>6} of 20",
            flush=True,
        )


def build(cursor, width: int) -> list[str]:
    """The partitioned copy of the index, made once; its partitions, newest first."""
    cursor.execute("SELECT to_regclass(%s)", [TABLE])
    if cursor.fetchone()[0] is None:
        started = time.perf_counter()
        cursor.execute("SELECT MAX(rowid) FROM articles_search")
        top = cursor.fetchone()[0] or 0
        cursor.execute(
            f"CREATE TABLE {TABLE} (rowid integer NOT NULL, document tsvector NOT NULL, "
            "pub_date date) PARTITION BY RANGE (rowid)"
        )
        for number in range(top // width + 1):
            cursor.execute(
                f"CREATE TABLE {TABLE}_{number} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ({number * width}) TO ({(number + 1) * width})"
            )
            # As the live table: tsvectors kept in the row (PostgresBackend.set_storage).
            cursor.execute(f"ALTER TABLE {TABLE}_{number} ALTER COLUMN document SET STORAGE MAIN")
            cursor.execute(f"ALTER TABLE {TABLE}_{number} SET (toast_tuple_target = 8160)")
        cursor.execute(
            f"INSERT INTO {TABLE} (rowid, document, pub_date) "
            "SELECT rowid, document, pub_date FROM articles_search"
        )
        cursor.execute(f"CREATE INDEX {TABLE}_doc_gin ON {TABLE} USING gin (document)")
        cursor.execute(f"CREATE INDEX {TABLE}_rowid ON {TABLE} (rowid)")
        cursor.execute(f"VACUUM ANALYZE {TABLE}")
        print(f"built {TABLE} in {time.perf_counter() - started:.0f} s")
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass",
        [TABLE],
    )
    return sorted((name for (name,) in cursor.fetchall()), key=lambda n: -int(n.rsplit("_", 1)[1]))


def compiled(term: str):
    """The text condition and rank of ``term`` as today's search code writes them."""
    from articles.search.filtering import compile_search, read

    plan = compile_search(read(term), term)
    assert plan.match is not None and plan.conditions is None, term
    return plan.match, plan.rank.sql, plan.rank.params


def walk(partitions: list[str], term: str, disease: str | None) -> tuple[list[int], int, int]:
    """The first PMIDs by best match among the newest 10,001 hits, the hits found (all of
    them if under 10,001) and how many partitions were read."""
    from django.db import connection

    from articles.text.concepts import narrower_uis

    condition, rank_sql, rank_params = compiled(term)
    scope, scope_params = "", []
    if disease:
        scope = (
            " AND rowid IN (SELECT article_id FROM articles_articleconcept "
            "WHERE role = 'disease' AND NOT rejected AND descriptor_id = ANY(%s))"
        )
        scope_params = [narrower_uis(disease)]
    hits: list[tuple[int, float, date | None]] = []
    read = 0
    with connection.cursor() as cursor:
        for partition in partitions:
            rank = rank_sql.replace("articles_search.", f"{partition}.")
            cursor.execute(
                f"SELECT rowid, {rank}, pub_date FROM {partition} "
                f"WHERE {condition.render(partition)}{scope}",
                [*rank_params, *condition.params, *scope_params],
            )
            hits += cursor.fetchall()
            read += 1
            if len(hits) >= LIMIT:
                break
    hits.sort(key=lambda hit: -hit[0])
    newest = hits[:LIMIT]
    # The list's order: rank, then publication date newest first (PostgreSQL puts a missing
    # date first when sorting down), then PMID.
    newest.sort(
        key=lambda hit: (-hit[1], hit[2] is not None, -(hit[2] or date.min).toordinal(), -hit[0])
    )
    return [pmid for pmid, _rank, _date in newest], len(hits), read


def todays(term: str, disease: str | None) -> list[int]:
    """Today's first PMIDs for the list page, public articles, best match: what
    ``benchmarks/search.py`` times."""
    from articles.browse.facets import Searched, first_matches
    from articles.browse.sorting import SORTS
    from articles.models import Article, ArticleConcept
    from articles.search.filtering import search
    from articles.search.first import Scope
    from articles.text.concepts import narrower_uis

    base = Article.objects.visible().public()
    filters = None
    if disease:
        concepts = ArticleConcept.objects.effective().filter(
            role="disease", descriptor_id__in=narrower_uis(disease)
        )
        base = filters = base.filter(pk__in=concepts.values("article_id"))
    result = search(base, term)
    searched = Searched(result.plan, Scope.PUBLIC, filters)
    pks, _dates, _bounded = first_matches(result.queryset, SORTS["relevance"].keys, searched)
    return pks


def p(values: list[float], percentile: int) -> float:
    """The ``percentile``-th percentile, interpolated between the two nearest runs."""
    return statistics.quantiles(values, n=100, method="inclusive")[percentile - 1]


if __name__ == "__main__":
    main()
