from django.core.management.base import BaseCommand, CommandError

from articles.exports.records import WRITERS, iter_export
from articles.models import Article


class Command(BaseCommand):
    help = "Write stored articles, in PMID order, one JSON object per line."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=sorted(WRITERS), default="jsonl")
        parser.add_argument(
            "--pmid",
            dest="pmids",
            type=int,
            nargs="+",
            action="extend",
            metavar="PMID",
            help="Export only these PMIDs (default: every stored article).",
        )
        parser.add_argument(
            "--include-deleted",
            action="store_true",
            help='Also export articles PubMed withdrew, and add "deleted" to every record.',
        )
        parser.add_argument("--output", metavar="PATH", help="Write here instead of stdout.")

    def handle(self, *args, **options):
        include_deleted = options["include_deleted"]
        queryset = Article.objects.all()
        problems = []
        if options["pmids"]:
            requested = set(options["pmids"])
            queryset = queryset.filter(pmid__in=requested)
            found = dict(queryset.values_list("pmid", "deleted_at"))
            for pmid in sorted(requested):
                if pmid not in found:
                    problems.append(f"PMID {pmid} is not stored")
                elif found[pmid] is not None and not include_deleted:
                    problems.append(f"PMID {pmid} is deleted; pass --include-deleted to export it")

        records = iter_export(queryset, include_deleted=include_deleted)
        write = WRITERS[options["format"]]
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="\n") as stream:
                count = write(records, stream)
        else:
            if hasattr(self.stdout, "reconfigure"):
                # JSON Lines is UTF-8 whatever the terminal's locale says.
                self.stdout.reconfigure(encoding="utf-8", newline="\n")
            count = write(records, self.stdout)

        for problem in problems:
            self.stderr.write(problem)
        if options["verbosity"] >= 1:
            self.stderr.write(f"exported {count} articles", style_func=self.style.SUCCESS)
        if problems:
            raise CommandError(f"{len(problems)} requested PMIDs were not exported")
