"""Data migrations, run on rows stored the way the code before them stored them."""

from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps

from articles.ingest import ingest_files
from articles.models import Article

FIXTURES = Path(__file__).parent / "fixtures"
history_times = import_module("articles.migrations.0013_history_times")


@pytest.mark.django_db
def test_it_reads_history_times_of_articles_stored_without_them_pmid_21813367():
    ingest_files([FIXTURES / "hawc_structured_abstract_21813367.xml"])
    stored = Article.objects.get(pk=21813367).history
    without_times = [
        {key: value for key, value in entry.items() if key not in ("hour", "minute")}
        for entry in stored
    ]
    Article.objects.filter(pk=21813367).update(history=without_times)

    history_times.add_history_times(apps, None)

    assert Article.objects.get(pk=21813367).history == stored
    assert stored[2] == {
        "type": "entrez",
        "year": 2011,
        "month": 8,
        "day": 5,
        "hour": 6,
        "minute": 0,
    }
    assert stored[0] == {"type": "received", "year": 2011, "month": 3, "day": 25}
