from django.core.management.base import BaseCommand, CommandError

from articles.curation.export import TABLES, as_csv, as_json


class Command(BaseCommand):
    help = (
        "Write curators' decisions, tags, notes, corrections, blocklist and audit trail: "
        "JSON holds them all, CSV one table (--table)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "json"], default="json")
        parser.add_argument(
            "--table",
            choices=TABLES,
            default="decisions",
            help="CSV only: which table to write (default: decisions).",
        )
        parser.add_argument(
            "--pmid",
            dest="pmids",
            type=int,
            nargs="+",
            action="extend",
            metavar="PMID",
            help="Only these articles (default: all).",
        )
        parser.add_argument("--output", metavar="PATH", help="Write here instead of stdout.")

    def handle(self, *args, **options):
        pmids = options["pmids"]
        json = options["format"] == "json"
        text = as_json(pmids) if json else as_csv(options["table"], pmids)
        if options["output"]:
            try:
                with open(options["output"], "w", encoding="utf-8", newline="") as stream:
                    stream.write(text)
            except OSError as exc:
                raise CommandError(f"{options['output']}: cannot write: {exc.strerror}") from exc
        else:
            self.stdout.write(text, ending="")
