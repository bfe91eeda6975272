"""Ingest benchmark: how close is a full ingest to the speed of just reading the XML?

    python benchmarks/ingest.py [--repeat N] [--phases floor,parser,ingest]
        [--database postgres] [PATH ...]

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
only the phases named (comma-separated). A last line estimates the whole NLM baseline at
the ingest's rate.

For the ingest phase it also prints the memory of each process of the run: the writer (the
``manage.py`` process), each parser process, and the forkserver and resource tracker that
multiprocessing starts. A thread of this script reads ``/proc/PID/smaps_rollup``, ``status``
and ``stat`` of the run's process and all its descendants every 0.2 s while it runs
(``Sampler``), and prints each process's peak RSS (``VmHWM``, the kernel's own peak), the
peaks of its PSS (each shared page divided among the processes sharing it) and USS (its
private pages only), and its CPU seconds at its last sample (the CPU column of the phase
table is their sum: the children a run waits for do not include a forkserver's). RSS counts
a page shared by three processes three times; the sum of the PSS of all processes at one
moment counts it once, and its peak is printed as "all processes together", with each
process's PSS and USS at that moment. A vocabulary shared between parser processes shows as
RSS well above USS in each of them. For the writer, the parts of its RSS: anonymous memory
and file pages (SQLite's database read through mmap, which grow with the database).
Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
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

    from articles.ingest import files as ingest
    from articles.models import Article

    call_command("migrate", verbosity=0)
    writing = 0.0
    write = ingest.Writer.write

    def timed_write(*args, **kwargs):
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


class Sampler(threading.Thread):
    """Peak memory of a process and its descendants, read from /proc every ``interval``."""

    def __init__(self, root: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.peaks: dict[int, dict] = {}  # pid -> role, rss (VmHWM), pss, uss: MB
        self.total_pss = 0.0  # the peak of the PSS of all the processes at one moment
        self.at_peak: dict[int, dict] = {}  # pid -> pss, uss: MB, at that moment
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self.done.set()
        self.join()

    def sample(self) -> None:
        parents, cpu = {}, {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                pid = int(stat.parent.name)
                parents[pid] = int(fields[1])
                cpu[pid] = (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
            except (OSError, ValueError, IndexError):
                continue  # it ended meanwhile
        tree = [self.root]
        for pid in tree:
            tree.extend(child for child, parent in parents.items() if parent == pid)
        total = 0.0
        now = {}
        for pid in tree:
            memory = now[pid] = _memory(pid)
            if memory is None:
                continue
            total += memory["pss"]
            peak = self.peaks.setdefault(pid, {"role": self._role(pid, parents.get(pid))})
            if memory["now"] >= peak.get("now", 0.0):  # the RSS's parts at its highest
                peak.update(now=memory["now"], anon=memory["anon"], file=memory["file"])
            peak["rss"] = memory["rss"]
            peak["cpu"] = cpu.get(pid, 0.0)
            for key in ("pss", "uss"):
                peak[key] = max(peak.get(key, 0.0), memory[key])
        if total > self.total_pss:
            self.total_pss = total
            self.at_peak = {pid: memory for pid, memory in now.items() if memory is not None}

    def _role(self, pid: int, parent: int | None) -> str:
        if pid == self.root:
            return "writer"
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return "?"
        if b"resource_tracker" in command:
            return "resource tracker"
        if b"forkserver" in command and parent == self.root:
            return "forkserver"
        return "parser"


TICKS = os.sysconf("SC_CLK_TCK")


def _memory(pid: int) -> dict | None:
    """MB: ``rss`` the peak RSS so far (VmHWM); ``now`` the RSS now, of which ``anon``
    anonymous memory and ``file`` file pages (SQLite's database, read through mmap); ``pss``
    and ``uss`` now."""
    values = {}
    try:
        for name in (f"/proc/{pid}/status", f"/proc/{pid}/smaps_rollup"):
            for line in Path(name).read_text().splitlines():
                key, _, rest = line.partition(":")
                if rest.strip().endswith("kB"):
                    values[key] = int(rest.split()[0]) / 1024
    except (OSError, ValueError):
        return None
    if "Pss" not in values:
        return None  # a zombie
    uss = values.get("Private_Clean", 0.0) + values.get("Private_Dirty", 0.0)
    return {
        "rss": values.get("VmHWM", 0.0),
        "now": values.get("VmRSS", 0.0),
        "anon": values.get("RssAnon", 0.0),
        "file": values.get("RssFile", 0.0),
        "pss": values["Pss"],
        "uss": uss,
    }


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
        process = subprocess.Popen(
            [sys.executable, __file__, "--phase", phase, path],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        sampler = Sampler(process.pid)
        sampler.start()
        stdout, stderr = process.communicate()
        elapsed = time.perf_counter() - started
        sampler.stop()
        if process.returncode:
            raise subprocess.CalledProcessError(process.returncode, process.args, stdout, stderr)
        db_size = sum(f.stat().st_size for f in Path(tmp).iterdir())
    report = json.loads(stdout.strip().splitlines()[-1])
    report["seconds"] = elapsed
    # Summed from the samples: the children the run waits for do not include a forkserver's.
    report["cpu_seconds"] = sum(p.get("cpu", 0.0) for p in sampler.peaks.values())
    report["db_mb"] = report.get("db_mb", db_size / 2**20)
    for pid, peak in sampler.peaks.items():
        moment = sampler.at_peak.get(pid, {})
        peak["pss_then"], peak["uss_then"] = moment.get("pss", 0.0), moment.get("uss", 0.0)
    report["processes"] = list(sampler.peaks.values())
    report["all_pss"] = sampler.total_pss
    if phase == "ingest":
        report.update(json.loads(stderr.strip().splitlines()[-1]))
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
        print(
            f"{'phase':<8} {'records':>8} {'seconds':>8} {'records/s':>10} {'CPU s':>7} "
            f"{'peak MB':>14}"
        )
        for phase, report in results.items():
            rate = report["records"] / report["seconds"]
            report["rate"] = rate
            peak = f"{report['peak_mb']:.0f}"
            if report["worker_peak_mb"] > 1:
                peak += f" (+{report['worker_peak_mb']:.0f}/worker)"
            print(
                f"{phase:<8} {report['records']:>8} {report['seconds']:>8.2f} {rate:>10,.0f} "
                f"{report['cpu_seconds']:>7.1f} {peak:>14}"
            )
        for n, report in enumerate(runs.get("ingest", []), start=1):
            print(
                f"ingest run {n}: {report['seconds']:.1f} s, "
                f"{report['records'] / report['seconds']:,.0f} records/s; in the command "
                f"{report['inner_seconds']:.1f} s, of which writing {report['writer_seconds']:.1f} "
                f"s ({100 * report['writer_seconds'] / report['inner_seconds']:.0f}%)"
            )
        if {"floor", "parser", "ingest"} <= results.keys():
            floor_rate = results["floor"]["rate"]
            parser_ratio = results["parser"]["rate"] / floor_rate
            ingest_ratio = results["ingest"]["rate"] / floor_rate
            print(
                f"speed ratios to the floor: parser (b)/(a) = {parser_ratio:.2f}, "
                f"ingest (c)/(a) = {ingest_ratio:.2f} (ingest takes {1 / ingest_ratio:.2f}x "
                "the floor's time)"
            )
        if "ingest" in results:
            rate = results["ingest"]["rate"]
            print(f"{database} database after ingest: {results['ingest']['db_mb']:.0f} MB")
            print(
                f"the whole baseline (about 1,200 files of 30,000 records) at {rate:,.0f} "
                f"records/s: {1200 * 30000 / rate / 3600:.1f} hours on this machine"
            )
            print_processes(results["ingest"])


def print_processes(report: dict) -> None:
    print(
        "ingest, MB, sampled from /proc every 0.2 s: each process's peaks, and its PSS and USS "
        "when the PSS of all of them together peaked"
    )
    print(
        f"  {'process':<18} {'RSS':>6} {'PSS':>6} {'USS':>6} {'PSS then':>9} {'USS then':>9} "
        f"{'CPU s':>6}"
    )
    order = ["writer", "forkserver", "parser", "resource tracker", "?"]
    for peak in sorted(report["processes"], key=lambda p: order.index(p["role"])):
        print(
            f"  {peak['role']:<18} {peak['rss']:>6.0f} {peak['pss']:>6.0f} {peak['uss']:>6.0f} "
            f"{peak['pss_then']:>9.0f} {peak['uss_then']:>9.0f} {peak['cpu']:>6.1f}"
        )
    print(f"  all processes together: {report['all_pss']:.0f} MB PSS at the peak")
    writer = next(p for p in report["processes"] if p["role"] == "writer")
    print(
        f"  the writer's highest sampled RSS, {writer['now']:.0f} MB: {writer['anon']:.0f} "
        f"anonymous, {writer['file']:.0f} file pages (the database, read through mmap)"
    )


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
