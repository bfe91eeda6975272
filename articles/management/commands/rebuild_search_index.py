import time

from django.core.management.base import BaseCommand

from articles.search.index import rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index from the stored articles (after bulk changes made "
        "outside ingest; ingest keeps the index current by itself)."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = rebuild()
        took = time.perf_counter() - started
        self.stdout.write(f"indexed {count} articles in {took:.1f} s")
