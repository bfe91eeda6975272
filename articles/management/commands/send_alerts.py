"""E-mail each user the new matches of their saved searches (run it daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from articles.alerts.searches import send_digests


class Command(BaseCommand):
    help = "E-mail each user one digest of their saved searches' new matches."

    def handle(self, *args, **options):
        sent, named = send_digests()
        self.stdout.write(f"sent {sent} digest{'s' if sent != 1 else ''}, {named} articles named")
