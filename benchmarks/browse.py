"""Browse benchmark: the article list with every facet count, at 100,000 and 1,000,000 articles.

    python benchmarks/browse.py build --sizes 100000 1000000 [--backend sqlite postgres]
    python benchmarks/browse.py time  --sizes 100000 1000000 [--backend sqlite postgres]
    python benchmarks/browse.py all   (build, then time)
    python benchmarks/browse.py grow --base 100000 --sizes 1000000 --backend postgres
                                      (a bigger database from a built smaller one)

Build: ingests NLM's two complete files from ../shared (pubmed20n0014 and pubmed21n1298,
50,783 real records) into a fresh database, classifies them (``load_mesh`` and
``extract_facts --all`` when the app has them), then replays those rows with new PMIDs
(+50,000,000 per copy) by SQL ``INSERT ... SELECT`` until the database holds the size asked for:
authors, affiliations, MeSH, publication types, substances, references (pointing at the same
copy, so local links resolve), concepts and case facts come along; the source XML
(``ArticleSource``) is not copied, to save disk. SQLite files go to
/tmp/casebook-browse-<size>.sqlite3, PostgreSQL databases are named casebook_browse_<size> on
$BROWSE_PG (default postgres@127.0.0.1:5432).

Time: the list page through Django's test client, warm, ``--repeat`` runs per case
(default 30), p50 and p95 in milliseconds per case and backend, the page's CPU time in this
process, and the database time of the queries that read the full-text index (the search
inside the page). Cases: browsing filters, then the six searches of benchmarks/search.py as
whole pages. It first prints how each database was built (distinct records, copies).
Targets: browsing p50 <= 100 ms and p95 <= 300 ms at 1,000,000 on both backends; the search
page the same at 1,000,000 on PostgreSQL and at 300,000 on SQLite, its search <= 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent.parent / "shared" / "data"
if not SHARED.exists():
    SHARED = Path("/work/shared/data")
SEED_FILES = [
    SHARED / "pubmed" / "baseline" / "pubmed20n0014.xml.gz",
    SHARED / "pubmed" / "baseline" / "pubmed21n1298.xml.gz",
]
PMID_STEP = 50_000_000
PG_SERVER = os.environ.get("BROWSE_PG", "postgres://postgres@127.0.0.1:5432")

# Tables copied per replica: (model label, {column: what it refers to}). "article" columns get
# the PMID offset, "<table>" columns that table's id offset; "id" is the table's own id.
COPIED = [
    ("articles.Article", {"pmid": "article"}),
    ("articles.AbstractSection", {"id": "self", "article_id": "article"}),
    ("articles.Author", {"id": "self", "article_id": "article"}),
    ("articles.Affiliation", {"id": "self", "author_id": "articles.Author"}),
    ("articles.MeshHeading", {"id": "self", "article_id": "article"}),
    ("articles.MeshHeadingQualifier", {"id": "self", "heading_id": "articles.MeshHeading"}),
    ("articles.ArticlePublicationType", {"id": "self", "article_id": "article"}),
    ("articles.SupplementaryConcept", {"id": "self", "article_id": "article"}),
    ("articles.Substance", {"id": "self", "article_id": "article"}),
    ("articles.Keyword", {"id": "self", "article_id": "article"}),
    ("articles.Grant", {"id": "self", "article_id": "article"}),
    ("articles.ArticleId", {"id": "self", "article_id": "article"}),
    ("articles.Reference", {"id": "self", "article_id": "article", "cited_id": "article"}),
    (
        "articles.CommentCorrection",
        {"id": "self", "article_id": "article", "target_id": "article"},
    ),
    ("articles.ArticleConcept", {"id": "self", "article_id": "article"}),
    ("articles.CaseFacts", {"article_id": "article"}),
]


def database_url(backend: str, size: int) -> str:
    if backend == "sqlite":
        return f"sqlite:////tmp/casebook-browse-{size}.sqlite3"
    return f"{PG_SERVER}/casebook_browse_{size}"


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebook.settings")
    # The timed requests come from one address, far faster than a visitor's: no rate limit.
    os.environ.setdefault("CASEBOOK_LIST_RATE", "")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# Build -------------------------------------------------------------------------------------


def build(backend: str, size: int) -> None:
    url = database_url(backend, size)
    if backend == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        name = url.rsplit("/", 1)[1]
        subprocess.run(
            ["psql", f"{PG_SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True
        )
        subprocess.run(
            ["psql", f"{PG_SERVER}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True
        )
    env = {**os.environ, "DATABASE_URL": url}
    manage = [sys.executable, str(ROOT / "manage.py")]
    started = time.perf_counter()
    subprocess.run([*manage, "migrate", "-v0"], check=True, env=env, cwd=ROOT)
    subprocess.run([*manage, "ingest_pubmed", *map(str, SEED_FILES)], check=True, env=env, cwd=ROOT)
    subprocess.run(
        [sys.executable, __file__, "_replicate", "--backend", backend, "--sizes", str(size)],
        check=True,
        env=env,
        cwd=ROOT,
    )
    print(f"built {backend} {size:,} in {time.perf_counter() - started:.0f} s", flush=True)


def grow(backend: str, size: int, base: int) -> None:
    """A database of ``size`` articles started from the ``base`` one (already classified):
    the SQLite file copied or the PostgreSQL database used as a template, then replayed."""
    url = database_url(backend, size)
    if backend == "sqlite":
        import shutil

        target = Path(url.removeprefix("sqlite:///"))
        shutil.copyfile(database_url(backend, base).removeprefix("sqlite:///"), target)
    else:
        name, source = url.rsplit("/", 1)[1], database_url(backend, base).rsplit("/", 1)[1]
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name} TEMPLATE {source}"):
            subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", sql], check=True)
    env = {**os.environ, "DATABASE_URL": url}
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [sys.executable, __file__, "_replicate", "--backend", backend, "--sizes", str(size)],
        check=True,
        env=env,
        cwd=ROOT,
    )
    print(f"grew {backend} {base:,} to {size:,} in {time.perf_counter() - started:.0f} s")


def classify(manage_commands: set[str]) -> str:
    """Fill ArticleConcept and CaseFacts for the seed records with the app's own commands."""
    from django.core.management import call_command

    done = []
    if "load_mesh" in manage_commands:
        call_command("load_mesh", verbosity=0)
        done.append("load_mesh")
    if "extract_facts" in manage_commands:
        call_command("extract_facts", "--all", verbosity=0)
        done.append("extract_facts --all")
    from articles.models import ArticleConcept

    if not ArticleConcept.objects.exists():
        stand_in_concepts()
        done.append("the benchmark's stand-in classification by MeSH tree letter")
    return ", ".join(done)


def stand_in_concepts() -> None:
    """Without the app's classification (``load_mesh``/``extract_facts``), diseases are the
    headings in tree C or F03 and therapies those in D, E02 or E04, from the shared MeSH file:
    close enough in volume and spread to time the facets."""
    import csv
    import gzip

    from django.db import connection

    from articles.models import MeshTreeNumber

    path = SHARED / "mesh" / "mesh_descriptors_2024.tsv.gz"
    roles = {}
    numbers = []
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        for row in csv.DictReader(stream, delimiter="\t"):
            trees = [n for n in row["tree_numbers"].split("|") if n]
            numbers += [(n, row["descriptor_ui"]) for n in trees]
            if any(n.startswith(("C", "F03")) for n in trees):
                roles[row["descriptor_ui"]] = "disease"
            elif any(n.startswith(("D", "E02", "E04")) for n in trees):
                roles[row["descriptor_ui"]] = "therapy"
    with connection.cursor() as cursor:
        if not MeshTreeNumber.objects.exists():
            cursor.execute("SELECT ui FROM articles_meshdescriptor")
            known = {ui for (ui,) in cursor.fetchall()}
            missing = {ui for _n, ui in numbers} - known
            names = {}
            with gzip.open(path, "rt", encoding="utf-8") as stream:
                for row in csv.DictReader(stream, delimiter="\t"):
                    if row["descriptor_ui"] in missing:
                        names[row["descriptor_ui"]] = row["name"]
            cursor.executemany(
                "INSERT INTO articles_meshdescriptor (ui, name) VALUES (%s, %s)",
                list(names.items()),
            )
            cursor.executemany(
                "INSERT INTO articles_meshtreenumber (number, descriptor_id) VALUES (%s, %s)",
                numbers,
            )
        cursor.execute("CREATE TEMPORARY TABLE stand_in_role (ui varchar(16), role varchar(10))")
        cursor.executemany("INSERT INTO stand_in_role VALUES (%s, %s)", list(roles.items()))
        cursor.execute(
            "INSERT INTO articles_articleconcept (article_id, descriptor_id, role, source, major) "
            "SELECT h.article_id, h.descriptor_id, r.role, 'mesh', MAX(CASE WHEN h.major "
            "THEN 1 ELSE 0 END) = 1 FROM articles_meshheading h JOIN stand_in_role r "
            "ON r.ui = h.descriptor_id GROUP BY h.article_id, h.descriptor_id, r.role"
        )


def replicate(size: int) -> None:
    from django.apps import apps
    from django.core.management import get_commands
    from django.db import connection, transaction

    from articles.models import Article

    if not Article.objects.filter(pmid__gte=PMID_STEP).exists():
        print("classified with", classify(set(get_commands())), flush=True)
    seed = Article.objects.filter(pmid__lt=PMID_STEP).count()
    copies = -(-size // seed) - 1
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
        offsets = {}
        for label, _refs in COPIED:
            model = apps.get_model(label)
            if model._meta.pk.name == "id":
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
                offsets[label] = cursor.fetchone()[0]
        for copy in range(1, copies + 1):
            # Copies already made (a database grown from a smaller one) stay; the last copy
            # takes only as many articles as the size still needs.
            if Article.objects.filter(
                pmid__gte=copy * PMID_STEP, pmid__lt=(copy + 1) * PMID_STEP
            ).exists():
                continue
            wanted = min(seed, size - Article.objects.count())
            if wanted <= 0:
                break
            started = time.perf_counter()
            with transaction.atomic():
                cursor.execute(
                    "SELECT pmid FROM articles_article WHERE pmid < %s ORDER BY pmid LIMIT 1 "
                    "OFFSET %s",
                    [PMID_STEP, wanted - 1],
                )
                last_pmid = cursor.fetchone()[0]
                for label, refs in COPIED:
                    _copy_table(cursor, apps.get_model(label), refs, copy, offsets, last_pmid)
            print(
                f"  copy {copy}/{copies}: {wanted:,} articles in "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )
        if connection.vendor == "postgresql":
            # VACUUM too: it sets the visibility map, without which index-only scans (the
            # concept index, the date index) read every row from the heap anyway.
            cursor.execute("VACUUM ANALYZE")
            for label, _refs in COPIED:
                model = apps.get_model(label)
                if model._meta.pk.name == "id":
                    table = model._meta.db_table
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT MAX(id) FROM {table}))"
                    )
        else:
            cursor.execute("ANALYZE")
    # Copies are searchable too: the search cases below time the whole index.
    from articles.search.index import rebuild

    started = time.perf_counter()
    print(f"search index: {rebuild():,} articles in {time.perf_counter() - started:.0f} s")


def _copy_table(cursor, model, refs: dict, copy: int, offsets: dict, last_pmid: int) -> None:
    table = model._meta.db_table
    columns = [field.column for field in model._meta.concrete_fields]
    selected = []
    for column in columns:
        ref = refs.get(column)
        if ref == "article":
            selected.append(f"{column} + {copy * PMID_STEP}")
        elif ref == "self":
            selected.append(f"{column} + {copy * offsets[model._meta.label]}")
        elif ref:
            selected.append(f"{column} + {copy * offsets[ref]}")
        else:
            selected.append(column)
    quoted = ", ".join(f'"{column}"' for column in columns)
    owner = _owner_pmid(model)
    cursor.execute(
        f"INSERT INTO {table} ({quoted}) SELECT {', '.join(selected)} FROM {table} "
        f"WHERE {owner} < %s AND {owner} <= %s",
        [PMID_STEP, last_pmid],
    )


def _owner_pmid(model) -> str:
    """The expression giving the PMID a row of ``model`` belongs to (seed rows only)."""
    table = model._meta.db_table
    if table == "articles_article":
        return "pmid"
    if table == "articles_affiliation":
        return "(SELECT article_id FROM articles_author a WHERE a.id = author_id)"
    if table == "articles_meshheadingqualifier":
        return "(SELECT article_id FROM articles_meshheading h WHERE h.id = heading_id)"
    return "article_id"


# Time --------------------------------------------------------------------------------------


def cases() -> list[tuple[str, dict]]:
    """The list-page requests to time, chosen from the data: the commonest disease, one of
    the rarest, the commonest therapy among the commonest disease's articles."""
    from django.db.models import Count

    from articles.models import ArticleConcept, MeshDescriptor

    diseases = (
        ArticleConcept.objects.filter(role="disease")
        .values("descriptor_id")
        .annotate(n=Count("article_id"))
        .order_by("-n")
    )
    found = list(diseases[:1])
    cases = [("unfiltered", {})]
    if found:
        common = found[0]["descriptor_id"]
        rare = diseases.order_by("n", "descriptor_id").first()["descriptor_id"]
        therapy = (
            ArticleConcept.objects.filter(
                role="therapy",
                article_id__in=ArticleConcept.objects.filter(
                    role="disease", descriptor_id=common
                ).values("article_id"),
            )
            .values("descriptor_id")
            .annotate(n=Count("article_id"))
            .order_by("-n")
            .first()
        )
        name = dict(MeshDescriptor.objects.values_list("ui", "name").filter(ui__in=[common]))
        cases += [
            (f"common disease ({name.get(common, common)})", {"disease": common}),
            (f"rare disease ({rare})", {"disease": rare}),
        ]
        if therapy:
            cases.append(
                (
                    f"disease + therapy ({therapy['descriptor_id']})",
                    {"disease": common, "therapy": therapy["descriptor_id"]},
                )
            )
    cases += [
        ("year range 1978-1979", {"year_from": 1978, "year_to": 1979}),
        ("deep page (400 x 20)", {"page": 400}),
        # Term mapping (articles.search.mapping): the words also search Myocardial Infarction
        # and the narrower concepts; the same words tagged are not mapped.
        ("search, mapped (heart attack)", {"term": "heart attack"}),
        ("search, as written (heart attack[tw])", {"term": "heart[tw] attack[tw]"}),
        ("search, mapped (lung disease)", {"term": "lung disease"}),
    ]
    # The six searches of benchmarks/search.py, here as whole pages: that script times only
    # the call that finds a search's first PMIDs. "blood" is in about a tenth of the
    # abstracts, "sarcoidosis" in under 0.1%; D006973 is Hypertension.
    cases += [
        ("search: rare term", {"term": "sarcoidosis"}),
        ("search: common term, best match", {"term": "blood"}),
        ("search: common term, newest first", {"term": "blood", "sort": "pubdate"}),
        ("search: phrase", {"term": '"blood pressure"'}),
        ("search: boolean + field tag", {"term": "(fever OR infection) AND children[tiab]"}),
        ("search: term + disease", {"term": "blood", "disease": "D006973"}),
    ]
    return cases


class SearchTime:
    """Database time of a request's queries that read the full-text index (its table is
    ``articles_search`` on both backends): the search itself, inside the page's time."""

    def __init__(self) -> None:
        self.ms = 0.0

    def __call__(self, execute, sql, params, many, context):
        if "articles_search" not in sql:
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - started) * 1000


def collection() -> str:
    """How the timed database was built, as every table of figures should say it."""
    from articles.models import Article

    total = Article.objects.count()
    distinct = Article.objects.filter(pmid__lt=PMID_STEP).count()
    return (
        f"{total:,} articles: {distinct:,} distinct records (NLM's pubmed20n0014 and "
        f"pubmed21n1298) and {total - distinct:,} copies of them under new PMIDs "
        f"({total / max(distinct, 1):.1f} of each)"
    )


def time_cases(repeat: int) -> list[dict]:
    from django.db import connection, reset_queries
    from django.test import Client

    client = Client()
    results = []
    for name, params in cases():
        response = client.get("/", params, HTTP_HOST="localhost")
        assert response.status_code == 200, (name, response.status_code)
        timings = []
        cpu = []
        searching = []
        for _ in range(repeat):
            reset_queries()
            search_time = SearchTime()
            started, started_cpu = time.perf_counter(), time.process_time()
            with connection.execute_wrapper(search_time):
                response = client.get("/", params, HTTP_HOST="localhost")
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            searching.append(search_time.ms)
        timings.sort()
        facets = response.context["listing"].facets
        results.append(
            {
                "case": name,
                "p50": statistics.median(timings),
                "p95": timings[max(0, round(0.95 * len(timings)) - 1)],
                # This process's CPU time: on a shared machine, what the request itself costs
                # (with SQLite, the queries too; PostgreSQL's server time is not in it).
                "cpu": statistics.median(cpu),
                # Of the page's time, the queries reading the full-text index (0 unsearched).
                "search": statistics.median(searching),
                "collection": collection(),
                # As the page says it: "~990,000" where the number is estimated from the
                # facets' sample (articles.browse.facets).
                "matches": f"~{facets.total:,}" if facets.total_estimated else f"{facets.total:,}",
                "vendor": connection.vendor,
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["build", "grow", "time", "all", "_replicate", "_time"])
    parser.add_argument("--base", type=int, default=100_000, help="grow: the database to copy")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    if args.action == "_replicate":
        django_setup(os.environ["DATABASE_URL"])
        replicate(args.sizes[0])
        return
    if args.action == "_time":
        django_setup(os.environ["DATABASE_URL"])
        from django.test.utils import setup_test_environment

        setup_test_environment()
        print(json.dumps(time_cases(args.repeat)))
        return
    if args.action == "grow":
        for backend in args.backend:
            for size in args.sizes:
                grow(backend, size, args.base)
        return
    if args.action in ("build", "all"):
        for backend in args.backend:
            for size in args.sizes:
                build(backend, size)
    if args.action in ("time", "all"):
        rows = []
        for backend in args.backend:
            for size in args.sizes:
                env = {**os.environ, "DATABASE_URL": database_url(backend, size)}
                out = subprocess.run(
                    [sys.executable, __file__, "_time", "--repeat", str(args.repeat)],
                    check=True,
                    env=env,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                ).stdout
                for row in json.loads(out.strip().splitlines()[-1]):
                    rows.append({"backend": backend, "size": size, **row})
        print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        for backend, built in dict.fromkeys((row["backend"], row["collection"]) for row in rows):
            print(f"{backend}: {built}")
        print(
            f"{'backend':<9} {'articles':>10}  {'case':<44} {'matches':>9} "
            f"{'p50 ms':>7} {'p95 ms':>7} {'CPU p50':>8} {'search p50':>10}"
        )
        for row in rows:
            print(
                f"{row['backend']:<9} {row['size']:>10,}  {row['case'][:44]:<44} "
                f"{row['matches']:>9} {row['p50']:>7.1f} {row['p95']:>7.1f} {row['cpu']:>8.1f} "
                f"{row['search']:>10.1f}"
            )


if __name__ == "__main__":
    main()
