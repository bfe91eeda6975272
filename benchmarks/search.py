"""Search benchmark: PubMed-style queries against 100,000 to 1,000,000 real-derived abstracts.

    python benchmarks/search.py [--backend sqlite|postgresql ...] [--sizes 100000,300000,1000000]
        [--repeat 30] [--workdir /tmp/casebook-search-bench] [--pg-url postgres://.../h5_bench]

Each backend runs in its own process with its own database (SQLite under --workdir, or the
PostgreSQL database named in --pg-url, created if missing). The database is filled once with
the two complete NLM files in ../shared (pubmed20n0014, 30,000 records of 1977-79, and
pubmed21n1298, 20,788 of 2021) through the real ingest; records without an abstract are then
hidden, and the rest are replayed under new PMIDs (rows copied with SQL, children and index
rows included, source XML left out) until the collection holds each size in turn.

At each size it prints p50/p95 over --repeat runs of the one call at the heart of the list
page for a query, not the page (``benchmarks/browse.py`` times the same six searches as whole
pages, on a collection with every table copied): read the first 10,001 matches' PMIDs in the
list's order (``facets.first_matches``: best match,
``search_order``, or newest first), which gives the capped count (the list pages through the
first 10,000 matches), the facets' sample and the page. Queries: a rare term,
a common term (~10% of records; also timed in date order), a phrase, a boolean with a field
tag, and a common term within a disease facet (as the list filters it); each query repeated, then
all of them in turn (round robin, as a server mixing searches sees them). At the first size it also
times ``rebuild()`` (the whole index from the stored rows, as ``rebuild_search_index`` does);
at every size it prints the index size per 100,000 records.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = next(
    (p for p in (ROOT.parent / "shared", Path("/work/shared")) if p.is_dir()), Path("/work/shared")
)
FILES = [
    SHARED / "data" / "pubmed" / "baseline" / "pubmed20n0014.xml.gz",
    SHARED / "data" / "pubmed" / "baseline" / "pubmed21n1298.xml.gz",
]
FIRST_COPY_PMID = 50_000_000  # above every PMID of the two source files
AUTHOR_ID_FACTOR = 100_000
HEADING_ID_FACTOR = 10_000

FACET = "D006973"  # Hypertension

# "blood" is in 10.3% of the replayed abstracts, "sarcoidosis" in 0.07%; Hypertension
# (D006973) is a MeSH heading of 0.9% of them.
QUERIES = [
    ("rare term", "sarcoidosis", None, "relevance"),
    ("common term (~10%)", "blood", None, "relevance"),
    ("common term, date order", "blood", None, "date"),
    ("phrase", '"blood pressure"', None, "relevance"),
    ("boolean + field tag", "(fever OR infection) AND children[tiab]", None, "relevance"),
    ("term + disease facet", "blood", FACET, "relevance"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--workdir", default="/tmp/casebook-search-bench")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/h5_bench")
    parser.add_argument(
        "--no-rebuild", action="store_true", help="skip timing rebuild() at the first size"
    )
    parser.add_argument(
        "--no-settle", action="store_true", help="skip VACUUM ANALYZE / FTS5 optimize"
    )
    parser.add_argument("--run", help=argparse.SUPPRESS)  # internal: one backend, in-process
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.run:
        run(
            args.run,
            sizes,
            args.repeat,
            Path(args.workdir),
            rebuild=not args.no_rebuild,
            settle=not args.no_settle,
        )
        return
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    for backend in args.backend or ["sqlite", "postgresql"]:
        env = dict(os.environ)
        if backend == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{Path(args.workdir) / 'search.sqlite3'}"
        else:
            env["DATABASE_URL"] = args.pg_url
            _create_pg_database(args.pg_url)
        command = [sys.executable, __file__, "--run", backend, "--sizes", args.sizes]
        command += ["--repeat", str(args.repeat), "--workdir", args.workdir]
        command += ["--no-rebuild"] if args.no_rebuild else []
        command += ["--no-settle"] if args.no_settle else []
        subprocess.run(command, env=env, check=True, cwd=ROOT)


def _create_pg_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def run(
    backend: str, sizes: list[int], repeat: int, workdir: Path, *, rebuild: bool, settle: bool
) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebook.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"\n== {backend} ({connection.settings_dict['NAME']})", flush=True)
    with connection.cursor() as cursor:
        if "bench_source" not in connection.introspection.table_names(cursor):
            _ingest_sources()  # idempotent: an interrupted ingest goes on where it stopped
        _prepare_sources(cursor)
    rebuilt = not rebuild
    from articles.search.index import backend as search_backend

    engine = search_backend()
    for size in sizes:
        started = time.perf_counter()
        growing = _visible() < size
        if backend == "postgresql" and growing:
            with connection.cursor() as cursor:
                engine.drop_indexes(cursor)  # rebuilt once below, not row by row
        added = _grow(size)
        grown = time.perf_counter() - started
        if backend == "postgresql" and growing:
            started = time.perf_counter()
            with connection.cursor() as cursor:
                engine.create_indexes(cursor)
            print(f"GIN indexes built in {time.perf_counter() - started:.1f} s")
        visible = _visible()
        print(f"\n-- {visible:,} articles with abstracts (copied {added:,} in {grown:.0f} s)")
        if not rebuilt:
            from articles.search.index import rebuild

            started = time.perf_counter()
            count = rebuild()
            took = time.perf_counter() - started
            print(
                f"rebuild(): {count:,} articles in {took:.1f} s = "
                f"{took * 100_000 / count:.1f} s per 100,000",
                flush=True,
            )
            rebuilt = True
        _facet_concepts()
        if settle:
            _settle(backend)
        with connection.cursor() as cursor:
            size_bytes = engine.size_bytes(cursor)
        print(
            f"index size: {size_bytes / 2**20:,.0f} MiB = "
            f"{size_bytes / 2**20 * 100_000 / visible:,.1f} MiB per 100,000"
        )
        _time_queries(repeat)


def _ingest_sources() -> None:
    from articles.ingest.files import ingest_files

    started = time.perf_counter()
    stats = ingest_files(FILES, workers=0)
    print(f"ingested sources: {stats.summary()} in {time.perf_counter() - started:.0f} s")


def _prepare_sources(cursor) -> None:
    """Hide originals without an abstract; number the others for replaying."""
    cursor.execute(
        "UPDATE articles_article SET deleted_at = first_ingested_at "
        "WHERE NOT has_abstract AND deleted_at IS NULL"
    )
    # As ingest would (``articles.search.index.refresh``): the index holds only visible articles.
    cursor.execute(
        "DELETE FROM articles_search WHERE rowid IN "
        "(SELECT pmid FROM articles_article WHERE deleted_at IS NOT NULL)"
    )
    cursor.execute("DROP TABLE IF EXISTS bench_source")
    cursor.execute("DROP TABLE IF EXISTS bench_map")
    cursor.execute("CREATE TABLE bench_source (src integer PRIMARY KEY, n integer NOT NULL)")
    cursor.execute("CREATE TABLE bench_map (src integer PRIMARY KEY, dst integer NOT NULL)")
    cursor.execute(
        "INSERT INTO bench_source (src, n) SELECT pmid, ROW_NUMBER() OVER (ORDER BY pmid) "
        "FROM articles_article WHERE has_abstract AND deleted_at IS NULL AND pmid < %s",
        [FIRST_COPY_PMID],
    )


def _visible() -> int:
    from articles.models import Article

    return Article.objects.visible().count()


def _grow(size: int) -> int:
    """Copy source articles under new PMIDs until ``size`` are visible."""
    from django.db import connection, transaction

    from articles.models import Article

    added = 0
    columns = [f.column for f in Article._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_source")
        sources = cursor.fetchone()[0]
    while (visible := _visible()) < size:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(pmid), %s) FROM articles_article", [0])
            top = max(cursor.fetchone()[0], FIRST_COPY_PMID)
        limit = min(sources, size - visible)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM bench_map")
            cursor.execute(
                "INSERT INTO bench_map (src, dst) SELECT src, %s + n FROM bench_source "
                "WHERE n <= %s",
                [top, limit],
            )
            _copy_rows(cursor, columns)
        added += limit
        print(f"   {visible + limit:,}", end="\r", flush=True)
    return added


def _copy_rows(cursor, columns: list[str]) -> None:
    a_cols = ", ".join(f'"{c}"' for c in columns)
    selected = ", ".join("m.dst" if c == "pmid" else f'a."{c}"' for c in columns)
    cursor.execute(
        f"INSERT INTO articles_article ({a_cols}) SELECT {selected} "
        "FROM bench_map m JOIN articles_article a ON a.pmid = m.src"
    )
    simple = {
        "articles_abstractsection": "position, label, nlm_category, html, text",
        "articles_articlepublicationtype": "position, publication_type_id",
        "articles_keyword": "position, owner, major, text",
        "articles_substance": "position, ui, name, registry_number",
    }
    for table, rest in simple.items():
        picked = ", ".join(f"c.{c.strip()}" for c in rest.split(","))
        cursor.execute(
            f"INSERT INTO {table} (article_id, {rest}) SELECT m.dst, {picked} "
            f"FROM bench_map m JOIN {table} c ON c.article_id = m.src"
        )
    a, h = AUTHOR_ID_FACTOR, HEADING_ID_FACTOR
    cursor.execute(
        "INSERT INTO articles_author (id, article_id, role, position, last_name, fore_name, "
        "initials, suffix, collective_name, orcid, identifiers, equal_contrib, valid) "
        f"SELECT CAST(m.dst AS bigint) * {a} + (c.id - CAST(m.src AS bigint) * {a}), m.dst, "
        "c.role, c.position, c.last_name, c.fore_name, c.initials, c.suffix, "
        "c.collective_name, c.orcid, c.identifiers, c.equal_contrib, c.valid "
        "FROM bench_map m JOIN articles_author c ON c.article_id = m.src"
    )
    cursor.execute(
        "INSERT INTO articles_affiliation (author_id, position, text, identifiers) "
        f"SELECT CAST(m.dst AS bigint) * {a} + (c.author_id - CAST(m.src AS bigint) * {a}), "
        "c.position, c.text, c.identifiers FROM bench_map m "
        f"JOIN articles_affiliation c ON c.author_id >= CAST(m.src AS bigint) * {a} "
        f"AND c.author_id < (CAST(m.src AS bigint) + 1) * {a}"
    )
    cursor.execute(
        "INSERT INTO articles_meshheading (id, article_id, position, descriptor_id, major, "
        "descriptor_type) "
        f"SELECT CAST(m.dst AS bigint) * {h} + (c.id - CAST(m.src AS bigint) * {h}), m.dst, "
        "c.position, c.descriptor_id, c.major, c.descriptor_type "
        "FROM bench_map m JOIN articles_meshheading c ON c.article_id = m.src"
    )
    fields = (
        "document, affiliations, pub_date"
        if cursor.db.vendor == "postgresql"
        else "title, abstract, terms, authors, affiliations"
    )
    picked = ", ".join(f"s.{f.strip()}" for f in fields.split(","))
    cursor.execute(
        f"INSERT INTO articles_search (rowid, {fields}) SELECT m.dst, {picked} "
        "FROM bench_map m JOIN articles_search s ON s.rowid = m.src"
    )


def _facet_concepts() -> None:
    """The disease concept the facet query filters on, for every article with its heading.
    Ingest derives concepts (``articles.text.classify``) from headings and the MeSH tree; the copies
    are made by SQL, so this fills the one concept the benchmark needs the same way: a
    Hypertension heading is a disease."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO articles_articleconcept (article_id, descriptor_id, role, source, major) "
            "SELECT h.article_id, h.descriptor_id, 'disease', 'mesh', MAX(CASE WHEN h.major "
            "THEN 1 ELSE 0 END) = 1 FROM articles_meshheading h WHERE h.descriptor_id = %s "
            "GROUP BY h.article_id, h.descriptor_id ON CONFLICT DO NOTHING",
            [FACET],
        )


def _settle(backend: str) -> None:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        if backend == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("INSERT INTO articles_search(articles_search) VALUES ('optimize')")
            cursor.execute("ANALYZE")
    print(f"vacuum/optimize: {time.perf_counter() - started:.0f} s")


def _cpu_ns(pid: int | None) -> int:
    """CPU time of a process, from the scheduler (ns), or 0."""
    if pid is None:
        return 0
    with open(f"/proc/{pid}/schedstat") as stream:
        return int(stream.read().split()[0])


def _time_queries(repeat: int) -> None:
    """Wall time, and CPU time (this process plus the PostgreSQL backend serving it), which
    is what the query costs whatever else the machine is doing: on a shared machine the
    wall time mostly measures the queue for a core. Each query ``repeat`` times in a row,
    then all of them in turn ``repeat`` times (round robin): as a server mixing searches
    sees them, each query finding the pages it reads in the database's cache only if the
    others left room for them."""
    from django.db import connection

    backend_pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    header = f"{'hits':>9} {'p50 ms':>7} {'p95 ms':>7} {'CPU p50':>8} {'CPU p95':>8}"
    print(f"{'query':<26} {header}  ({repeat} runs each)")
    for query in QUERIES:
        runs = [_run(query, backend_pid) for _ in range(repeat)]
        _print(query, runs)
    print(f"{'round robin':<26} {header}  ({repeat} rounds of all {len(QUERIES)})")
    rounds = [[_run(query, backend_pid) for query in QUERIES] for _ in range(repeat)]
    for position, query in enumerate(QUERIES):
        _print(query, [runs[position] for runs in rounds])


def _run(query: tuple, backend_pid: int | None) -> tuple[float, float, int]:
    """One run of what the list page does for ``query``: wall ms, CPU ms, matches."""
    from articles.browse.facets import NEWEST_FIRST, Searched, first_matches
    from articles.browse.sorting import SORTS
    from articles.models import Article, ArticleConcept
    from articles.search.filtering import search
    from articles.search.first import Scope

    _label, term, facet, order = query
    orders = {"relevance": SORTS["relevance"].keys, "date": NEWEST_FIRST}
    cpu_started = time.process_time_ns() + _cpu_ns(backend_pid)
    started = time.perf_counter()
    base = Article.objects.visible().public()  # as the list shows the public
    filters = None
    if facet:  # as the list's disease filter (ConceptFilter) narrows it
        concepts = ArticleConcept.objects.filter(role="disease", descriptor_id=facet)
        base = filters = base.filter(pk__in=concepts.values("article_id"))
    result = search(base, term)
    # As the list page: one query, the first 10,001 matches in the list's order, gives the
    # capped count, the facets' sample and the page's PMIDs.
    searched = Searched(result.plan, Scope.PUBLIC, filters)
    pks, _dates, _bounded = first_matches(result.queryset, orders[order], searched)
    wall = (time.perf_counter() - started) * 1000
    cpu = (time.process_time_ns() + _cpu_ns(backend_pid) - cpu_started) / 1e6
    return wall, cpu, len(pks)


def _print(query: tuple, runs: list[tuple[float, float, int]]) -> None:
    label, term, _facet, _order = query
    timings = [run[0] for run in runs]
    cpu = [run[1] for run in runs]
    print(
        f"{label:<26} {_hits(runs[-1][2]):>9} {_p(timings, 50):>7.1f} {_p(timings, 95):>7.1f} "
        f"{_p(cpu, 50):>8.1f} {_p(cpu, 95):>8.1f}  {term}",
        flush=True,
    )


def _hits(count: int) -> str:
    """The count as the list page shows it: "10,000+" past the cap."""
    from articles.browse.facets import CAP

    return f"{CAP:,}+" if count > CAP else f"{count:,}"


def _p(values: list[float], percentile: int) -> float:
    values = sorted(values)
    if percentile == 50:
        return statistics.median(values)
    return values[min(len(values) - 1, round(percentile / 100 * (len(values) - 1)))]


if __name__ == "__main__":
    main()
