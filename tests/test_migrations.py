"""Data migrations, run on rows stored the way the code before them stored them: the database
is migrated back to before the migration, the rows are written with the models of that time,
and then it is migrated forward to today."""

import zlib
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from articles.ingest.files import _partial
from articles.models import Article, ArticleSource
from articles.pubmed.parser import iter_raw_records, parse
from articles.pubmed.records import Article as Record

FIXTURES = Path(__file__).parent / "fixtures"
HAWC = FIXTURES / "hawc_structured_abstract_21813367.xml"


def migrate(target: str) -> MigrationExecutor:
    """Migrate the test database to ``target`` (``"latest"``: every migration)."""
    executor = MigrationExecutor(connection)
    if target == "latest":
        plan = executor.loader.graph.leaf_nodes("articles")
    else:
        plan = [("articles", target)]
    executor.migrate(plan)
    executor.loader.build_graph()
    return executor


def store_before(target: str, **fields) -> None:
    """Write PMID 21813367 as the code of migration ``target`` stored it."""
    executor = migrate(target)
    old = executor.loader.project_state(("articles", target)).apps.get_model("articles", "Article")
    now = timezone.now()
    old.objects.create(
        pmid=21813367, source_hash="0" * 32, first_ingested_at=now, last_changed_at=now, **fields
    )


@pytest.fixture
def record_xml() -> bytes:
    return next(iter(iter_raw_records(HAWC))).data


@pytest.fixture
def history() -> list[dict]:
    article = next(item for item in parse(HAWC) if isinstance(item, Record))
    return [_partial(date) for date in article.history]


@pytest.mark.django_db(transaction=True)
def test_0013_reads_history_times_of_articles_stored_without_them_pmid_21813367(
    record_xml, history
):
    without_times = [
        {key: value for key, value in entry.items() if key not in ("hour", "minute")}
        for entry in history
    ]
    store_before("0012_exclusion_reasons", source_xml=record_xml.decode(), history=without_times)

    migrate("latest")

    assert Article.objects.get(pk=21813367).history == history
    assert history[2] == {
        "type": "entrez",
        "year": 2011,
        "month": 8,
        "day": 5,
        "hour": 6,
        "minute": 0,
    }
    assert history[0] == {"type": "received", "year": 2011, "month": 3, "day": 25}


@pytest.mark.django_db(transaction=True)
def test_0018_moves_the_source_xml_out_of_the_article_compressed_pmid_21813367(record_xml):
    store_before("0017_article_source_position", source_xml=record_xml.decode(), history=[])

    migrate("latest")

    source = ArticleSource.objects.get(article_id=21813367)
    assert zlib.decompress(source.xml) == record_xml
    assert len(source.xml) < len(record_xml) / 2
    assert Article.objects.get(pk=21813367).source_xml_text() == record_xml.decode()
    assert '<PMID Version="1">21813367</PMID>' in source.text()


@pytest.mark.django_db(transaction=True)
def test_0018_puts_the_source_xml_back_when_reversed_pmid_21813367(record_xml):
    store_before("0017_article_source_position", source_xml=record_xml.decode(), history=[])
    migrate("latest")

    migrate("0017_article_source_position")

    with connection.cursor() as cursor:
        cursor.execute("SELECT source_xml FROM articles_article WHERE pmid = 21813367")
        assert cursor.fetchone()[0] == record_xml.decode()
    migrate("latest")
