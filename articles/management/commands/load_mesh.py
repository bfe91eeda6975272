"""python manage.py load_mesh [PATH]: load or refresh the MeSH descriptors, tree numbers and
entry terms (default: the bundled MeSH 2024 file). Writes only what differs from the file."""

from django.core.management.base import BaseCommand, CommandError

from articles.classify import MESH_FILE
from articles.mesh import MeshFileError, load_mesh


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
