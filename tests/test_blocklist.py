"""The blocklist: PMIDs curators marked "never ingest" are neither fetched nor written by
any ingest path, and each run counts them as "blocked"."""

from io import StringIO

import pytest
from django.core.management import call_command
from lxml import etree

from articles import models as m
from articles.ingest.files import ingest_files
from articles.models import BlockedPMID
from tests.eutils_server import EUTILS, FIXTURES, FakeEutils

HAWC_259 = FIXTURES / "hawc_259_records.xml.gz"
SEARCH_259 = EUTILS / "esearch_pubmed_complex_query_259ids.xml"
QUERY_259 = etree.parse(str(SEARCH_259)).findtext("QueryTranslation")
IDS_259 = [int(i) for i in etree.parse(str(SEARCH_259)).xpath("//IdList/Id/text()")]
THREE = [
    FIXTURES / "hawc_structured_abstract_21813367.xml",
    FIXTURES / "hawc_abstract_markup_29186030.xml",
    FIXTURES / "hawc_collective_author_21860499.xml",
]

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    stdout, stderr = StringIO(), StringIO()
    call_command("ingest_pubmed", *args, "--workers", "0", stdout=stdout, stderr=stderr)
    assert stderr.getvalue() == ""
    return stdout.getvalue()


@pytest.fixture
def server(settings):
    with FakeEutils() as fake:
        fake.add_records(HAWC_259)
        fake.add_search(QUERY_259, SEARCH_259)
        settings.NCBI_EUTILS_URL = fake.url
        settings.NCBI_EMAIL = "tests@example.org"
        settings.NCBI_API_KEY = ""
        yield fake


def test_file_ingest_skips_blocked_pmids_and_counts_them():
    BlockedPMID.objects.create(pmid=29186030, reason="Retracted duplicate")

    stdout = run(*map(str, THREE))

    assert stdout == "created 2, updated 0, unchanged 0, deleted 0, failed 0, blocked 1\n"
    assert sorted(m.Article.objects.values_list("pmid", flat=True)) == [21813367, 21860499]
    assert not m.Author.objects.filter(article_id=29186030).exists()


def test_file_ingest_leaves_a_stored_article_alone_once_it_is_blocked():
    ingest_files(THREE)
    BlockedPMID.objects.create(pmid=21813367, reason="Not wanted")
    m.Article.objects.filter(pk=21813367).update(source_hash="stale")

    stats = ingest_files(THREE)

    assert (stats.updated, stats.unchanged, stats.blocked) == (0, 2, 1)
    assert m.Article.objects.get(pk=21813367).source_hash == "stale"


def test_the_summary_says_nothing_of_blocked_pmids_when_there_are_none():
    assert run(str(THREE[0])) == "created 1, updated 0, unchanged 0, deleted 0, failed 0\n"


def test_eutils_ingest_does_not_fetch_blocked_pmids(server):
    blocked = [IDS_259[0], IDS_259[100], IDS_259[258]]
    for pmid in blocked:
        BlockedPMID.objects.create(pmid=pmid, reason="Never ingest")

    stdout = run("--query", QUERY_259)

    assert stdout == "created 256, updated 0, unchanged 0, deleted 0, failed 0, blocked 3\n"
    fetched = server.fetched_ids()
    assert len(fetched) == 256
    assert not set(fetched) & set(blocked)
    assert not m.Article.objects.filter(pmid__in=blocked).exists()
    run_row = m.IngestRun.objects.get()
    assert (run_row.to_fetch, run_row.position, run_row.created) == (256, 256, 256)
    assert run_row.blocked == 3


def test_eutils_ingest_of_listed_pmids_skips_blocked_ones(server):
    BlockedPMID.objects.create(pmid=IDS_259[1], reason="Never ingest")

    stdout = run("--pmid", str(IDS_259[0]), "--pmid", str(IDS_259[1]))

    assert stdout == "created 1, updated 0, unchanged 0, deleted 0, failed 0, blocked 1\n"
    assert server.fetched_ids() == [IDS_259[0]]


def test_a_pmid_blocked_after_planning_is_still_not_written(server):
    from articles.ingest import eutils as eutils_ingest
    from articles.ingest.files import IngestStats
    from articles.pubmed.client import EutilsClient
    from articles.pubmed.ratelimit import RateLimiter

    client = EutilsClient(
        base_url=server.url, email="t@example.org", limiter=RateLimiter(100), timeout=2
    )
    stats = IngestStats()
    run_row = eutils_ingest.start_pmid_run(IDS_259[:3])
    eutils_ingest.plan(run_row, client, stats)
    BlockedPMID.objects.create(pmid=IDS_259[2], reason="Blocked mid-run")

    eutils_ingest.fetch(run_row, client, stats)

    assert (stats.created, stats.blocked) == (2, 1)
    assert not m.Article.objects.filter(pk=IDS_259[2]).exists()
    run_row.refresh_from_db()
    assert (run_row.created, run_row.blocked) == (2, 1)  # found by the writer, mid-run


def test_blocking_in_the_admin_records_who_and_hides_the_article_from_the_public_list(
    admin_client, admin_user, client
):
    ingest_files(THREE)

    response = admin_client.post(
        "/admin/articles/blockedpmid/add/", {"pmid": "29186030", "reason": "Duplicate"}
    )

    assert response.status_code == 302
    blocked = BlockedPMID.objects.get()
    assert (blocked.pmid, blocked.reason, blocked.blocked_by) == (29186030, "Duplicate", admin_user)
    page = client.get("/").content.decode()
    assert "/29186030/" not in page
    assert "/21813367/" in page
    assert m.Article.objects.filter(pk=29186030).exists()  # stored, only hidden
