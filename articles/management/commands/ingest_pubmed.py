"""python manage.py ingest_pubmed PATH [PATH ...]: load PubMed XML files into the database.

Or straight from NCBI E-utilities: ``--query "..."``, ``--pmid N`` (repeatable),
``--pmid-file ids.txt``, ``--resume RUN_ID``.
"""

import datetime as dt
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.ingest import eutils as eutils_ingest
from articles.ingest.files import IngestStats, ingest_files
from articles.models import IngestRun
from articles.pubmed.client import (
    DATE_TYPES,
    DEFAULT_BATCH_SIZE,
    MAX_BATCH_SIZE,
    EutilsClient,
    parse_date,
)
from articles.search.index import flush_pending, keep_recent

SUFFIXES = (".xml", ".xml.gz")
# Below this many bytes on disk (about 1,000 records gzipped), files are parsed in-process.
SMALL_INPUT = 2 * 1024 * 1024
FILE_BATCH_SIZE = 500


class Command(BaseCommand):
    help = (
        "Ingest PubMed XML (efetch responses, NLM baseline/update files): .xml, .xml.gz, "
        "directories of them (applied in file-name order) or '-' for standard input; or "
        "fetch it from NCBI E-utilities with --query, --pmid, --pmid-file or --resume."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", metavar="PATH")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=None,
            help=f"Records per transaction for files (default {FILE_BATCH_SIZE}); PMIDs per "
            f"EFetch request from E-utilities (default {DEFAULT_BATCH_SIZE}, "
            f"at most {MAX_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse and compare, write nothing (files)."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=(
                "Parser processes (default: 2 on a machine with 2+ cores, except for files "
                "under 2 MB; 0 = parse in this process)."
            ),
        )
        remote = parser.add_argument_group("NCBI E-utilities")
        remote.add_argument("--query", help="A PubMed query, as typed in PubMed.")
        remote.add_argument("--mindate", help="With --query: earliest date, YYYY/MM/DD.")
        remote.add_argument("--maxdate", help="With --query: latest date, YYYY/MM/DD.")
        remote.add_argument(
            "--datetype",
            choices=DATE_TYPES,
            default="pdat",
            help="With --query: which date --mindate/--maxdate (and splitting) use: "
            "publication (pdat, the default) or Entrez (edat).",
        )
        remote.add_argument(
            "--pmid", type=int, action="append", default=[], help="A PMID; repeat for more."
        )
        remote.add_argument(
            "--pmid-file", help="A file of PMIDs, separated by spaces, commas or lines."
        )
        remote.add_argument(
            "--refresh",
            action="store_true",
            help="Fetch PMIDs that are already stored too (new versions, errata, retractions).",
        )
        remote.add_argument(
            "--resume", type=int, metavar="RUN_ID", help="Go on with an unfinished run."
        )
        remote.add_argument(
            "--timeout", type=float, default=60.0, help="Seconds to wait for each response."
        )
        remote.add_argument(
            "--attempts", type=int, default=5, help="Tries per request before giving up."
        )

    def handle(self, *args, **options):
        remote = options["query"] or options["pmid"] or options["pmid_file"] or options["resume"]
        with _stopped_by_sigterm():
            try:
                if remote:
                    self._handle_remote(options)
                else:
                    self._handle_files(options)
            except Terminated:
                raise CommandError(
                    "stopped by SIGTERM; the batches stored before it are kept",
                    returncode=128 + signal.SIGTERM,
                ) from None

    # Files ------------------------------------------------------------------------------------

    def _handle_files(self, options):
        if not options["paths"]:
            raise CommandError("Give PATHs to ingest, or --query, --pmid, --pmid-file, --resume.")
        paths = self._expand(options["paths"])
        batch_size = options["batch_size"]
        if batch_size is None:
            batch_size = FILE_BATCH_SIZE
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        workers = self._workers(options)
        if options["workers"] is None and "-" not in paths and _total_size(paths) < SMALL_INPUT:
            workers = 0  # starting parser processes costs more than a small file takes
        progress_bar = self._progress_bar(options)
        try:
            stats = ingest_files(
                paths,
                batch_size=batch_size,
                dry_run=options["dry_run"],
                workers=workers,
                progress=progress_bar.update if progress_bar is not None else None,
                stdin=sys.stdin.buffer,
            )
        finally:
            if progress_bar is not None:
                progress_bar.close()
        prefix = "dry run, nothing written: " if options["dry_run"] else ""
        self._finish(stats, prefix)

    def _expand(self, arguments: list[str]) -> list[str]:
        paths: list[str] = []
        for argument in arguments:
            if argument == "-":
                paths.append(argument)
                continue
            path = Path(argument)
            if path.is_dir():
                found = sorted(
                    str(p) for p in path.iterdir() if p.is_file() and p.name.endswith(SUFFIXES)
                )
                if not found:
                    raise CommandError(f"{path}: no .xml or .xml.gz files in this directory")
                paths.extend(found)
            elif path.exists():
                paths.append(str(path))
            else:
                raise CommandError(f"{path}: no such file or directory")
        return paths

    # E-utilities ------------------------------------------------------------------------------

    def _handle_remote(self, options):
        if not settings.NCBI_EMAIL:
            raise CommandError(
                "Set NCBI_EMAIL to an address NCBI can reach you at: E-utilities policy asks "
                "every client to identify itself (and NCBI_API_KEY for 10 requests/s, not 3)."
            )
        run = self._run(options)
        if options["verbosity"] >= 2:
            logging.getLogger("articles").setLevel(logging.INFO)
        client = EutilsClient(
            base_url=settings.NCBI_EUTILS_URL,
            tool=settings.NCBI_TOOL,
            email=settings.NCBI_EMAIL,
            api_key=settings.NCBI_API_KEY,
            timeout=options["timeout"],
            max_attempts=options["attempts"],
        )
        stats = IngestStats()
        progress_bar = None
        try:
            eutils_ingest.plan(run, client, stats)
            progress_bar = self._progress_bar(options, total=run.to_fetch - run.position)
            eutils_ingest.fetch(
                run,
                client,
                stats,
                workers=self._workers(options),
                progress=progress_bar.update if progress_bar is not None else None,
            )
        except eutils_ingest.RunStopped as exc:
            if progress_bar is not None:
                progress_bar.close()
                progress_bar = None
            self._report(stats)
            self.stdout.write(stats.summary())
            raise CommandError(
                f"{exc}. Resume with: manage.py ingest_pubmed --resume {run.pk}", returncode=1
            ) from exc
        finally:
            if progress_bar is not None:
                progress_bar.close()
            client.close()
        self._finish(stats, "")

    def _run(self, options) -> IngestRun:
        sources = [
            name
            for name in ("query", "pmid", "pmid_file", "resume")
            if options[name] not in (None, [])
        ]
        if len(sources) > 1 and set(sources) != {"pmid", "pmid_file"}:
            raise CommandError("Use one of --query, --pmid/--pmid-file or --resume.")
        if options["paths"]:
            raise CommandError("Ingest files or fetch from E-utilities, not both at once.")
        if options["dry_run"]:
            raise CommandError("--dry-run applies to files only.")
        if options["query"] is None and (options["mindate"] or options["maxdate"]):
            raise CommandError("--mindate and --maxdate go with --query.")
        batch_size = options["batch_size"]
        if batch_size is None:
            batch_size = DEFAULT_BATCH_SIZE
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise CommandError(f"--batch-size must be 1 to {MAX_BATCH_SIZE} for E-utilities")
        if options["resume"] is not None:
            return self._resumable(options["resume"])
        if options["query"] is not None:
            if not options["query"].strip():
                raise CommandError("--query is empty.")
            mindate = self._date(options, "mindate")
            maxdate = self._date(options, "maxdate")
            if mindate and maxdate and mindate > maxdate:
                raise CommandError("--mindate is after --maxdate.")
            return eutils_ingest.start_query_run(
                options["query"],
                mindate=mindate,
                maxdate=maxdate,
                datetype=options["datetype"],
                refresh=options["refresh"],
                batch_size=batch_size,
            )
        pmids = list(options["pmid"])
        if options["pmid_file"]:
            pmids.extend(self._read_pmids(options["pmid_file"]))
        if any(pmid < 1 for pmid in pmids):
            raise CommandError("A PMID is a positive number.")
        return eutils_ingest.start_pmid_run(
            pmids, refresh=options["refresh"], batch_size=batch_size
        )

    def _resumable(self, run_id: int) -> IngestRun:
        try:
            run = IngestRun.objects.get(pk=run_id)
        except IngestRun.DoesNotExist:
            raise CommandError(f"No ingest run {run_id}.") from None
        if run.status == IngestRun.Status.COMPLETED:
            raise CommandError(f"Run {run_id} is already complete.")
        return run

    def _date(self, options, name: str) -> dt.date | None:
        if not options[name]:
            return None
        try:
            return parse_date(options[name])
        except ValueError:
            raise CommandError(f"--{name} {options[name]!r}: expected YYYY/MM/DD.") from None

    def _read_pmids(self, name: str) -> list[int]:
        try:
            text = Path(name).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{name}: cannot be read: {exc.strerror or exc}") from None
        pmids = []
        for number, line in enumerate(text.splitlines(), start=1):
            for token in re.split(r"[\s,;]+", line.split("#", 1)[0].strip()):
                if not token:
                    continue
                if not token.isdigit() or int(token) < 1:
                    raise CommandError(f"{name}:{number}: {token!r} is not a PMID")
                pmids.append(int(token))
        if not pmids:
            raise CommandError(f"{name}: no PMIDs in this file")
        return pmids

    def _workers(self, options) -> int:
        if options["workers"] is not None:
            return options["workers"]
        return 2 if (os.cpu_count() or 1) >= 2 else 0

    # Output -----------------------------------------------------------------------------------

    def _progress_bar(self, options, total: int | None = None):
        if not (sys.stderr.isatty() and options["verbosity"] >= 1):
            return None
        from tqdm import tqdm

        return tqdm(total=total, unit=" records", file=sys.stderr, smoothing=0.1)

    def _report(self, stats: IngestStats) -> None:
        for problem in stats.problems:
            self.stderr.write(problem)

    def _finish(self, stats: IngestStats, prefix: str) -> None:
        self._report(stats)
        self.stdout.write(prefix + stats.summary())
        if not prefix and stats.created:  # new records may outgrow the index of the newest
            done = keep_recent()
            if done:
                self.stdout.write(done)
        if not prefix and (stats.created or stats.updated):
            flush_pending()  # else every search reads the new rows' pending index entries
        if stats.failed:
            raise CommandError(f"{stats.failed} failed", returncode=1)


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: transactions roll back, an E-utilities run is marked
    interrupted, parser processes are stopped."""


@contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set in the main thread
        return

    def stop(signum, frame):
        raise Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _total_size(paths: list[str]) -> int:
    return sum(Path(path).stat().st_size for path in paths)
