"""python manage.py extract_facts [--all] [--pmid N ...]: re-derive disease/therapy concepts
and case-series facts of stored articles. Without options: only the articles whose facts are
missing or come from older rules. A progress bar on a terminal; one summary line."""

import sys

from django.core.management.base import BaseCommand

from articles.ingest.derive import all_pmids, outdated_pmids, rederive


class Command(BaseCommand):
    help = (
        "Re-derive MeSH concepts (disease/therapy/cause) and case-series facts of stored "
        "articles: outdated ones by default, --all, or --pmid N (repeatable)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Every stored article.")
        parser.add_argument(
            "--pmid", type=int, action="append", default=[], metavar="N", help="This article."
        )

    def handle(self, *args, **options):
        if options["pmid"]:
            pmids = sorted(set(options["pmid"]))
        elif options["all"]:
            pmids = all_pmids()
        else:
            pmids = outdated_pmids()
        bar = self._progress_bar(options, len(pmids))
        try:
            stats = rederive(pmids, progress=bar.update if bar is not None else None)
        finally:
            if bar is not None:
                bar.close()
        for problem in stats.problems:
            self.stderr.write(problem)
        self.stdout.write(stats.summary())

    def _progress_bar(self, options, total: int):
        # On a terminal only: pipes, logs and CI get the summary line alone.
        if not (sys.stderr.isatty() and options["verbosity"] >= 1):
            return None
        from tqdm import tqdm

        return tqdm(total=total, unit=" articles", file=sys.stderr, smoothing=0.1)
