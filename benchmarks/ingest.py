"""Ingest benchmark: how close is a full ingest to the speed of just reading the XML?

    python benchmarks/ingest.py [--repeat N] [--phases floor,parser,ingest] [PATH ...]

For each file (default: NLM's 30,000-record baseline file pubmed20n0014 from ../shared), in
separate processes so that peak memory is each phase's own:

  (a) floor:  a bare lxml iterparse pass that touches every element and extracts nothing;
  (b) parser: articles.pubmed.parser.parse over the whole file;
  (c) ingest: `manage.py ingest_pubmed PATH` into a fresh SQLite database (parse + store +
      references), with the default parser processes.

Prints records/s and peak RSS for each, and the ratios (c)/(a) and (b)/(a) in speed. With
--repeat N each phase runs N times and the fastest run counts: this machine's neighbours make
single runs vary by a third. --phases runs only the phases named (the ratios need the floor).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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

    from articles.models import Article

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("ingest_pubmed", path, verbosity=0)
    elapsed = time.perf_counter() - started
    print(json.dumps({"inner_seconds": elapsed}), file=sys.stderr)
    return Article.objects.count()


PHASES = {"floor": floor, "parser": parser, "ingest": ingest}


def run_phase(phase: str, path: str) -> dict:
    """Run one phase in a child process; wall time includes its start-up."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
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
    report["db_mb"] = db_size / 2**20
    return report


def child(phase: str, path: str) -> None:
    records = PHASES[phase](path)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"records": records, "peak_mb": own, "worker_peak_mb": workers}))


def main(paths: list[str], repeat: int, phases: list[str]) -> None:
    print(f"cores: {os.cpu_count()}, best of {repeat}")
    for path in paths:
        print(f"\n{path}")
        results = {
            phase: min((run_phase(phase, path) for _ in range(repeat)), key=lambda x: x["seconds"])
            for phase in phases
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
        if "floor" not in results:
            continue
        floor_rate = results["floor"]["rate"]
        if "parser" in results:
            parser_ratio = results["parser"]["rate"] / floor_rate
            print(f"speed ratio to the floor: parser (b)/(a) = {parser_ratio:.2f}")
        if "ingest" in results:
            ingest_ratio = results["ingest"]["rate"] / floor_rate
            print(
                f"speed ratio to the floor: ingest (c)/(a) = {ingest_ratio:.2f} (ingest takes "
                f"{1 / ingest_ratio:.2f}x the floor's time)"
            )
            print(f"SQLite database after ingest: {results['ingest']['db_mb']:.0f} MB")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--phase":
        child(sys.argv[2], sys.argv[3])
    else:
        arguments = sys.argv[1:]
        repeat = 1
        phases = list(PHASES)
        while arguments[:1] in (["--repeat"], ["--phases"]):
            if arguments[0] == "--repeat":
                repeat = int(arguments[1])
            else:
                phases = [phase for phase in PHASES if phase in arguments[1].split(",")]
            arguments = arguments[2:]
        main(arguments or [str(DEFAULT)], repeat, phases)
