"""Load benchmark: the served site under 20 and 50 concurrent clients, alone and during an ingest.

    python benchmarks/load.py [--database sqlite|postgres] [--clients 20 50] [--duration 30]
        [--copies 20] [--ingest PATH] [--workers 2 --threads 4]

Builds a database of the demo's 354 PubMed case reports copied ``--copies`` times under new
PMIDs (``tests/served_site.py``: 7,080 articles by default, every copy with its authors,
abstract, MeSH, concepts and case facts), starts gunicorn as ``make serve`` does (DEBUG off,
gthread workers, WhiteNoise), and runs ``--clients`` threads for ``--duration`` seconds, each
with its own HTTP session, looping over a mix of what readers and API clients ask for:

    list page 20%, list with filters 20%, search 20%, article page 20%,
    API list 10%, API article 5%, RIS export of a filtered list 5%

Anonymous rate limits are lifted (every request comes from one address). It prints requests
per second, p50/p95/p99 latency and errors (status >= 400 or no answer) per client count, then
the same while ``ingest_pubmed`` loads ``--ingest`` (default: NLM's pubmed21n1298, 20,788
records, from ../shared) into the same database, and the count of "database is locked" lines
in the server's log. The load client runs on the same machine as the server and takes CPU
from it; the figures say what this machine serves, not what a separate client would see.
Targets (issue #25): no errors, p95 <= 500 ms at 20 clients, also during an ingest.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
SHARED = next(
    (p for p in (ROOT.parent / "shared", Path("/work/shared")) if p.is_dir()), Path("/work/shared")
)
INGEST_FILE = SHARED / "data" / "pubmed" / "baseline" / "pubmed21n1298.xml.gz"
PG_SERVER = os.environ.get("LOAD_PG", "postgres://postgres@127.0.0.1:5432")

FILTERS = [
    "disease=COVID-19",
    "case_series=true&patients_min=3",
    "therapy=Adrenal+Cortex+Hormones",
    "disease=Neoplasms&sort=pubdate",
    "year_from=2021&year_to=2021&has_abstract=true",
]
TERMS = ["covid", "case report", '"acute kidney injury"', "lymphoma AND chemotherapy", "child*"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build(env: dict, copies: int) -> None:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tests.served_site", str(copies)], cwd=ROOT, env=env, check=True
    )
    print(f"built the database in {time.perf_counter() - started:.0f} s", flush=True)


def serve(env: dict, url: str, log: Path) -> subprocess.Popen:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--config",
                "casebook/gunicorn.conf.py",
                "--bind",
                url.removeprefix("http://"),
                "casebook.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"{url}/favicon.ico", timeout=30)
            return server
        except requests.RequestException:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start:\n{log.read_text()}") from None
            time.sleep(0.3)


def sample_pmids(url: str) -> list[int]:
    """PMIDs to open article pages of, from the API (any 200 of the collection)."""
    answer = requests.get(f"{url}/api/v1/articles/", params={"page_size": 200}, timeout=60)
    answer.raise_for_status()
    return [row["pmid"] for row in answer.json()["results"]]


def requests_mix(pmids: list[int]) -> list[tuple[str, float]]:
    """(path, weight) of the realistic mix."""
    mix = [("/", 20.0)]
    mix += [(f"/?{query}", 20.0 / len(FILTERS)) for query in FILTERS]
    mix += [(f"/?term={requests.utils.quote(term)}", 20.0 / len(TERMS)) for term in TERMS]
    mix += [(f"/{pmid}/", 20.0 / len(pmids)) for pmid in pmids]
    mix += [("/api/v1/articles/?page_size=50", 5.0), ("/api/v1/articles/?term=covid", 5.0)]
    mix += [(f"/api/v1/articles/{pmid}/", 5.0 / len(pmids)) for pmid in pmids]
    mix += [("/export/ris/?disease=COVID-19&case_series=true", 5.0)]
    return mix


def run_load(url: str, mix: list[tuple[str, float]], clients: int, duration: float) -> dict:
    paths, weights = zip(*mix, strict=True)
    results: list[tuple[float, int]] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client(seed: int) -> None:
        chooser = random.Random(seed)
        session = requests.Session()
        mine = []
        while time.monotonic() < stop_at:
            path = chooser.choices(paths, weights)[0]
            started = time.perf_counter()
            try:
                status = session.get(url + path, timeout=60).status_code
            except requests.RequestException:
                status = 0
            mine.append(((time.perf_counter() - started) * 1000, status))
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    times = sorted(ms for ms, _status in results)
    errors = sum(1 for _ms, status in results if status == 0 or status >= 400)
    return {
        "requests": len(results),
        "rate": len(results) / elapsed,
        "p50": statistics.median(times),
        "p95": percentile(times, 95),
        "p99": percentile(times, 99),
        "errors": errors,
    }


def percentile(values: list[float], p: int) -> float:
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--clients", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--ingest", type=Path, default=INGEST_FILE)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    directory = Path(tempfile.mkdtemp(prefix="casebook-load-"))
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "SECRET_KEY", "DEBUG"}
    }
    if args.database == "sqlite":
        database = f"sqlite:///{directory / 'db.sqlite3'}"
    else:
        name = "casebook_load"
        for statement in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", statement], check=True)
        database = f"{PG_SERVER}/{name}"
    env.update(
        DJANGO_SETTINGS_MODULE="casebook.settings",
        DATABASE_URL=database,
        DEBUG="0",
        CASEBOOK_ALLOW_DEV_KEY="1",
        SECURE_COOKIES="0",
        STATIC_ROOT=str(directory / "static"),
        WEB_CONCURRENCY=str(args.workers),
        GUNICORN_THREADS=str(args.threads),
        GUNICORN_ACCESS_LOG="/dev/null",  # the log holds errors only
        # One address makes every request: no anonymous limits.
        CASEBOOK_LIST_RATE="",
        CASEBOOK_EXPORT_RATE="",
        API_ANON_RATE="1000000/second",
    )
    build(env, args.copies)
    url = f"http://127.0.0.1:{free_port()}"
    log = directory / "gunicorn.log"
    server = serve(env, url, log)
    try:
        mix = requests_mix(sample_pmids(url))
        print(
            f"{args.database}, {args.copies * 354:,} articles ({args.copies} copies of the "
            f"demo's 354), gunicorn {args.workers} workers x {args.threads} threads; "
            f"load average before: {os.getloadavg()[0]:.1f}"
        )
        header = f"{'':<22} {'clients':>7} {'requests':>8} {'req/s':>7} {'p50 ms':>7} "
        print(header + f"{'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")
        for during_ingest in (False, True):
            for clients in args.clients:
                ingest = None
                if during_ingest:
                    ingest = subprocess.Popen(
                        [sys.executable, "manage.py", "ingest_pubmed", str(args.ingest)],
                        cwd=ROOT,
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                        start_new_session=True,
                    )
                    time.sleep(3)  # past its start-up, into the writing
                row = run_load(url, mix, clients, args.duration)
                if ingest is not None:
                    os.killpg(ingest.pid, signal.SIGTERM)
                    ingest.wait(timeout=120)
                label = "during an ingest" if during_ingest else "alone"
                print(
                    f"{label:<22} {clients:>7} {row['requests']:>8} {row['rate']:>7.1f} "
                    f"{row['p50']:>7.0f} {row['p95']:>7.0f} {row['p99']:>7.0f} "
                    f"{row['errors']:>6}",
                    flush=True,
                )
        locked = log.read_text(errors="replace").count("database is locked")
        print(f'"database is locked" in the server log: {locked}')
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
