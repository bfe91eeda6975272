"""articles.ingest.files on PostgreSQL: rows go in by COPY, and rows that may be stored already
through staging tables (``articles.bulk``), under the rules SQLite's statements keep."""

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import models as m
from articles.ingest.files import ingest_files, ingest_records
from articles.pubmed.parser import parse
from articles.pubmed.records import Article

FIXTURES = Path(__file__).parent / "fixtures"
HAWC_259 = FIXTURES / "hawc_259_records.xml.gz"

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY and staging tables: PostgreSQL"
)


def records(path: Path) -> list[Article]:
    return [item for item in parse(path) if isinstance(item, Article)]


def newer(article: Article, **changes: object) -> Article:
    """The next version of ``article``, its XML changed so that it is not "unchanged"."""
    return dataclasses.replace(article, version=2, xml=article.xml + b" ", **changes)


@postgresql_only
def test_it_writes_a_files_rows_with_no_statement_per_row():
    # Django logs an executemany as "N times: INSERT ...": every row once a statement.
    with CaptureQueriesContext(connection) as created:
        stats = ingest_files([HAWC_259], batch_size=100)
    updates = [newer(a, title=f"Revised: {a.title}") for a in records(HAWC_259)[:40]]
    with CaptureQueriesContext(connection) as updated:
        again = ingest_records(updates)

    assert stats.created == 259
    assert again.summary() == "created 0, updated 40, unchanged 0, deleted 0, failed 0"
    per_row = [q["sql"][:60] for q in [*created, *updated] if re.match(r"\d+ times: ", q["sql"])]
    assert per_row == []
    assert m.Article.objects.get(pmid=30878739).title == (
        "Revised: Effects of citrate ester plasticizers and bis (2-ethylhexyl) phthalate in "
        "the OECD 28-day repeated-dose toxicity test (OECD TG 407)."
    )


@postgresql_only
def test_it_stores_the_rest_of_a_batch_when_a_copy_refuses_one_row_pmid_30878739():
    # PostgreSQL refuses the whole COPY of the keywords for one owner too long for its column;
    # the batch is written again article by article, from rows the first try left as they
    # were (it used to put journal ids where the retry looked for journal keys).
    articles = records(HAWC_259)
    index = next(i for i, a in enumerate(articles) if a.pmid == 30878739)
    keyword = dataclasses.replace(articles[index].keywords[0], owner="NOTNLM, and then some")
    articles[index] = dataclasses.replace(
        articles[index], keywords=(keyword, *articles[index].keywords[1:])
    )

    stats = ingest_records(articles, batch_size=100)

    assert (stats.created, stats.failed) == (258, 1)
    assert stats.problems[0].startswith(
        "PMID 30878739: the database refused it: value too long for type character varying(20)"
    )
    assert not m.Article.objects.filter(pmid=30878739).exists()
    assert not m.Keyword.objects.filter(article_id=30878739).exists()
    assert m.Keyword.objects.filter(article_id=28267557).count() == 6


@postgresql_only
def test_it_dates_the_index_rows_it_copies_pmid_21813367():
    ingest_files([FIXTURES / "hawc_structured_abstract_21813367.xml"])

    with connection.cursor() as cursor:
        cursor.execute("SELECT pub_date FROM articles_search WHERE rowid = 21813367")
        assert cursor.fetchall() == [(dt.date(2011, 12, 1),)]


def test_it_fills_in_a_stored_journal_and_never_blanks_it_pmid_21813367():
    (article,) = records(FIXTURES / "hawc_structured_abstract_21813367.xml")
    assert article.journal is not None
    without_linking = dataclasses.replace(article.journal, issn_linking="")
    with_print = dataclasses.replace(article.journal, issn_electronic="", issn_print="0091-6765")
    ingest_records([dataclasses.replace(article, journal=without_linking)])

    ingest_records([newer(article, journal=with_print)])

    journal = m.Journal.objects.get(key="nlm:0330411")
    assert (journal.issn_print, journal.issn_electronic, journal.issn_linking) == (
        "0091-6765",
        "1552-9924",
        "0091-6765",
    )


def test_it_updates_and_creates_in_one_batch_as_one_at_a_time_would_pmid_21860499():
    (first,) = records(FIXTURES / "hawc_collective_author_21860499.xml")
    (second,) = records(FIXTURES / "hawc_structured_abstract_21813367.xml")
    ingest_records([first])

    stats = ingest_records([newer(first, title="Revised title"), second])

    assert (stats.created, stats.updated) == (1, 1)
    assert dict(m.Article.objects.values_list("pmid", "version")) == {21860499: 2, 21813367: 1}
    assert m.Article.objects.get(pmid=21860499).title == "Revised title"
    assert m.Author.objects.filter(article_id=21860499).count() == len(first.authors)
