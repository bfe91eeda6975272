"""E-utilities benchmark: how close does an ingest come to the ceiling NCBI's rate limit sets?

    python benchmarks/eutils.py [--delay 0.5] [--seconds 15] [--only with|without] [PATH]

The fake E-utilities server of the tests runs in its own process, serving the real records of
PATH (default: NLM's baseline file pubmed20n0014 from ../shared) and taking ``--delay``
seconds to answer each 200-record EFetch, as NCBI takes its time. The ceiling is the rate
limit times the batch size: 3 x 200 = 600 records/s without an API key, 10 x 200 = 2,000
with one. For each, ``--seconds`` worth of records at the ceiling are ingested three ways:

  (a) fetch:  EutilsClient.iter_batches over the PMIDs, doing nothing with the batches;
  (b) ingest: `manage.py ingest_pubmed --query ...` into a fresh SQLite database, in a child
      process: ESearch (split by date past 9,999 records), then EFetch batches parsed in the
      default parser processes and stored as they arrive;
  (c) file:   `manage.py ingest_pubmed FILE` of the same records, into a fresh database: how
      fast this machine stores them at all, whatever the network.

Prints records/s, the ratio to the ceiling (target: at least 0.80) and the most requests the
server saw in any one second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articles.pubmed.client import DEFAULT_BATCH_SIZE, EutilsClient  # noqa: E402
from articles.pubmed.ratelimit import RATE_WITH_KEY, RATE_WITHOUT_KEY  # noqa: E402
from tests.eutils_server import FakeEutils, max_in_window  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "pubmed" / "baseline" / "pubmed20n0014.xml.gz"
QUERY = "benchmark[all]"
KEY = "benchmark-key"


def serve(path: str, limit: int, delay: float, queue: multiprocessing.Queue) -> None:
    """The server process: load the records, answer until terminated."""
    server = FakeEutils(efetch_delay=delay)
    pmids = server.add_records(Path(path), limit=limit)
    first = dt.date(2000, 1, 1)
    # Ten records a day: more than 9,999 records make the client split the query by date.
    dates = {pmid: first + dt.timedelta(days=n // 10) for n, pmid in enumerate(pmids)}
    server.add_dated_search(QUERY, dates)
    server.start()
    queue.put((server.url, pmids))
    while True:
        time.sleep(3600)


def arrivals(url: str) -> list[float]:
    import requests

    return [at for _, at in requests.get(url + "_log", timeout=10).json()]


def fetch_only(url: str, pmids: list[int], api_key: str) -> float:
    client = EutilsClient(base_url=url, email="benchmark@example.org", api_key=api_key)
    started = time.perf_counter()
    fetched = sum(len(batch.pmids) for batch in client.iter_batches(pmids))
    elapsed = time.perf_counter() - started
    client.close()
    assert fetched == len(pmids)
    return elapsed


def command(arguments: list[str], environment: dict[str, str]) -> tuple[float, str]:
    """Time `ingest_pubmed ARGUMENTS` in a child process with a fresh SQLite database."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3", **environment)
        result = subprocess.run(
            [sys.executable, __file__, "--child", *arguments],
            env=env,
            capture_output=True,
            text=True,
        )
    if result.returncode:
        raise SystemExit(f"ingest_pubmed {' '.join(arguments)} failed:\n{result.stderr}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["seconds"], report["summary"]


def child(arguments: list[str]) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "casebook.settings"
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    out = StringIO()
    started = time.perf_counter()
    call_command("ingest_pubmed", *arguments, stdout=out)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "summary": out.getvalue().strip()}))


def run(label: str, rate: int, api_key: str, options: argparse.Namespace) -> None:
    ceiling = rate * DEFAULT_BATCH_SIZE
    count = int(ceiling * options.seconds) // DEFAULT_BATCH_SIZE * DEFAULT_BATCH_SIZE
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    server = context.Process(
        target=serve, args=(options.path, count, options.delay, queue), daemon=True
    )
    server.start()
    workers = ["--workers", options.workers] if options.workers else []
    try:
        url, pmids = queue.get(timeout=600)
        time.sleep(1.2)  # the rate limiter's window empties between phases
        seconds = {"fetch": fetch_only(url, pmids, api_key)}
        fetch_requests = len(arrivals(url))
        time.sleep(1.2)
        environment = {
            "NCBI_EUTILS_URL": url,
            "NCBI_EMAIL": "benchmark@example.org",
            "NCBI_API_KEY": api_key,
        }
        seconds["ingest"], summary = command(["--query", QUERY, *workers], environment)
        seen = arrivals(url)
    finally:
        server.terminate()
        server.join()
    with tempfile.TemporaryDirectory() as tmp:
        records = Path(tmp) / "records.xml"
        served = FakeEutils()
        served.add_records(Path(options.path), limit=count)
        records.write_bytes(served.document(pmids))
        seconds["file"], _ = command([str(records), *workers], {})
    windows = {"fetch": seen[:fetch_requests], "ingest": seen[fetch_requests:], "file": []}
    for phase, elapsed in seconds.items():
        achieved = len(pmids) / elapsed
        busiest = max_in_window(windows[phase]) if windows[phase] else "-"
        print(
            f"{label:<12} {phase:<7} {len(pmids):>7} {elapsed:>8.2f} {achieved:>10,.0f} "
            f"{ceiling:>8,} {achieved / ceiling:>6.2f} {busiest:>10}"
        )
    print(
        f"{'':<12} ingest: {summary}; {seconds['file'] / seconds['ingest']:.2f} of the speed "
        "of ingesting the same records from a file"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--delay", type=float, default=0.5, help="seconds per 200-record EFetch")
    parser.add_argument("--seconds", type=float, default=15.0, help="run length at the ceiling")
    parser.add_argument("--workers", default="", help="ingest_pubmed --workers (its default)")
    parser.add_argument("--only", choices=["without", "with"], help="one of the two runs")
    options = parser.parse_args()

    print(f"cores: {os.cpu_count()}; records: {options.path}")
    print(f"server: {options.delay:g} s per {DEFAULT_BATCH_SIZE}-record EFetch\n")
    print(
        f"{'':<12} {'phase':<7} {'records':>7} {'seconds':>8} {'records/s':>10} "
        f"{'ceiling':>8} {'ratio':>6} {'max req/s':>10}"
    )
    for label, rate, api_key in (
        ("without key", RATE_WITHOUT_KEY, ""),
        ("with key", RATE_WITH_KEY, KEY),
    ):
        if not options.only or label.startswith(options.only + " "):
            run(label, rate, api_key, options)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
    else:
        main()
