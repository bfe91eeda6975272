"""python manage.py ingest_pubmed PATH [PATH ...]: load PubMed XML files into the database."""

import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.ingest import ingest_files

SUFFIXES = (".xml", ".xml.gz")


class Command(BaseCommand):
    help = (
        "Ingest PubMed XML (efetch responses, NLM baseline/update files): .xml, .xml.gz, "
        "directories of them (applied in file-name order) or '-' for standard input."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse and compare, write nothing."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Parser processes (default: 2 on a machine with 2+ cores, else 0 = in-process).",
        )

    def handle(self, *args, **options):
        paths = self._expand(options["paths"])
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        workers = options["workers"]
        if workers is None:
            workers = 2 if (os.cpu_count() or 1) >= 2 else 0

        progress_bar = None
        if sys.stderr.isatty() and options["verbosity"] >= 1:
            from tqdm import tqdm

            progress_bar = tqdm(unit=" records", file=sys.stderr, smoothing=0.1)
        try:
            stats = ingest_files(
                paths,
                batch_size=batch_size,
                dry_run=options["dry_run"],
                workers=workers,
                progress=progress_bar.update if progress_bar else None,
                stdin=sys.stdin.buffer,
            )
        finally:
            if progress_bar:
                progress_bar.close()
        for problem in stats.problems:
            self.stderr.write(problem)
        prefix = "dry run, nothing written: " if options["dry_run"] else ""
        self.stdout.write(prefix + stats.summary())
        if stats.failed:
            raise CommandError(f"{stats.failed} failed", returncode=1)

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
