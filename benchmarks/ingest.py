"""Ingest benchmark: how close is a full ingest to the speed of just reading the XML?

    python benchmarks/ingest.py [--repeat N] [--database postgres] [PATH ...]

For each file (default: NLM's 30,000-record baseline file pubmed20n0014 from ../shared), in
separate processes so that peak memory is each phase's own:

  (a) floor:  a bare lxml iterparse pass that touches every element and extracts nothing;
  (b) parser: articles.pubmed.parser.parse over the whole file;
  (c) ingest: `manage.py ingest_pubmed PATH` into a fresh SQLite database (parse + store +
      references), with the default parser processes; with ``--database postgres``, into a
      fresh PostgreSQL database ``casebook_bench_ingest`` (``scratch_postgres``), dropped after.

Prints records/s and peak RSS for each, the ratios (c)/(a) and (b)/(a) in speed, and the
writer's share of the ingest: the wall time spent in ``Writer.write`` (the rest of the time
the writer waits for its parser processes, or the command does its own work). With
--repeat N each phase runs N times and the fastest run counts (each ingest run is printed
too): this machine's neighbours make single runs vary by a third. ``--phases ingest`` runs
only that one.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from scratch_postgres import scratch_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "pubmed" / "baseline" / "pubmed20n0014.xml.gz"


def floor(path: str) -> int:
    import gzip

    from lxml import etree

    opener = gzip.open if path.endswith(".gz") else open
    count = 0
    with opener(path, "rb") as stream:
        for _event, element in etree.iterparse(
            stream,
            events=("end",),
            tag=("PubmedArticle", "PubmedBookArticle"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
        ):
            for _node in element.iter():
                pass
            count += 1
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    return count


def parser(path: str) -> int:
    sys.path.insert(0, str(ROOT))
    from articles.pubmed.parser import parse
    from articles.pubmed.records import Article

    return sum(1 for item in parse(path) if isinstance(item, Article))


def ingest(path: str) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "casebook.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from articles import ingest
    from articles.models import Article

    call_command("migrate", verbosity=0)
    writing = 0.0
    write = ingest.Writer.write

    def timed_write(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        nonlocal writing
        started = time.perf_counter()
        try:
            return write(*args, **kwargs)
        finally:
            writing += time.perf_counter() - started

    ingest.Writer.write = timed_write  # type: ignore[method-assign]
    started = time.perf_counter()
    call_command("ingest_pubmed", path, verbosity=0)
    elapsed = time.perf_counter() - started
    print(json.dumps({"inner_seconds": elapsed, "writer_seconds": writing}), file=sys.stderr)
    return Article.objects.count()


PHASES = {"floor": floor, "parser": parser, "ingest": ingest}


def run_phase(phase: str, path: str, database: str) -> dict:
    """Run one phase in a child process; wall time includes its start-up."""
    env = dict(os.environ)
    postgres = database == "postgres" and phase == "ingest"
    with (
        tempfile.TemporaryDirectory() as tmp,
        scratch_database("casebook_bench_ingest") if postgres else nullcontext() as url,
    ):
        env["DATABASE_URL"] = url or f"sqlite:///{tmp}/bench.sqlite3"
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, __file__, "--phase", phase, path],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        elapsed = time.perf_counter() - started
        db_size = sum(f.stat().st_size for f in Path(tmp).iterdir())
    report = json.loads(result.stdout.strip().splitlines()[-1])
    report["seconds"] = elapsed
    report["db_mb"] = report.get("db_mb", db_size / 2**20)
    if phase == "ingest":
        report.update(json.loads(result.stderr.strip().splitlines()[-1]))
    return report


def child(phase: str, path: str) -> None:
    records = PHASES[phase](path)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    report = {"records": records, "peak_mb": own, "worker_peak_mb": workers}
    if phase == "ingest" and os.environ["DATABASE_URL"].startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            report["db_mb"] = cursor.fetchone()[0] / 2**20
        connection.close()
    print(json.dumps(report))


def main(paths: list[str], repeat: int, database: str, phases: list[str]) -> None:
    print(f"cores: {os.cpu_count()}, best of {repeat}, database {database}")
    for path in paths:
        print(f"\n{path}")
        runs = {
            phase: [run_phase(phase, path, database) for _ in range(repeat)] for phase in phases
        }
        results = {
            phase: min(reports, key=lambda x: x["seconds"]) for phase, reports in runs.items()
        }
        print(f"{'phase':<8} {'records':>8} {'seconds':>8} {'records/s':>10} {'peak MB':>14}")
        for phase, report in results.items():
            rate = report["records"] / report["seconds"]
            report["rate"] = rate
            peak = f"{report['peak_mb']:.0f}"
            if report["worker_peak_mb"] > 1:
                peak += f" (+{report['worker_peak_mb']:.0f}/worker)"
            print(
                f"{phase:<8} {report['records']:>8} {report['seconds']:>8.2f} {rate:>10,.0f} "
                f"{peak:>14}"
            )
        for n, report in enumerate(runs.get("ingest", []), start=1):
            print(
                f"ingest run {n}: {report['seconds']:.1f} s, "
                f"{report['records'] / report['seconds']:,.0f} records/s; in the command "
                f"{report['inner_seconds']:.1f} s, of which writing {report['writer_seconds']:.1f} "
                f"s ({100 * report['writer_seconds'] / report['inner_seconds']:.0f}%)"
            )
        if len(results) == len(PHASES):
            floor_rate = results["floor"]["rate"]
            parser_ratio = results["parser"]["rate"] / floor_rate
            ingest_ratio = results["ingest"]["rate"] / floor_rate
            print(
                f"speed ratios to the floor: parser (b)/(a) = {parser_ratio:.2f}, "
                f"ingest (c)/(a) = {ingest_ratio:.2f} (ingest takes {1 / ingest_ratio:.2f}x "
                "the floor's time)"
            )
        if "ingest" in results:
            print(f"{database} database after ingest: {results['ingest']['db_mb']:.0f} MB")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--phase":
        child(sys.argv[2], sys.argv[3])
    else:
        options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
        options.add_argument("paths", nargs="*", default=[str(DEFAULT)])
        options.add_argument("--repeat", type=int, default=1)
        options.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
        options.add_argument(
            "--phases", default=",".join(PHASES), help="which, comma-separated (default: all)"
        )
        args = options.parse_args()
        main(args.paths, args.repeat, args.database, args.phases.split(","))
