"""python manage.py load_mesh [PATH]: load or refresh the MeSH descriptors, tree numbers and
entry terms (default: the bundled MeSH 2024 file). Writes only what differs from the file.
When the tree changed and articles are stored, the search index is rebuilt: it holds each
article's concepts with the broader ones above them in the tree (``search.index``)."""

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from articles.search.index import rebuild
from articles.text.classify import MESH_FILE
from articles.text.mesh import MeshFileError, load_mesh


class Command(BaseCommand):
    help = (
        "Load MeSH descriptors with their tree numbers and entry terms from a TSV file "
        "(default: the bundled MeSH 2024 data); idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(MESH_FILE), metavar="PATH")

    def handle(self, *args, **options):
        try:
            stats = load_mesh(options["path"])
        except MeshFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(stats.summary())
        if (stats.tree_numbers_added or stats.tree_numbers_removed) and Article.objects.exists():
            self.stdout.write("The MeSH tree changed: rebuilding the search index.")
            self.stdout.write(f"indexed {rebuild()} articles")
