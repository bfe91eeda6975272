"""ingest_pubmed --query/--pmid/--pmid-file/--resume, end to end against a fake E-utilities
server on 127.0.0.1, and the IngestRun each run leaves behind."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from lxml import etree

from articles import models as m
from articles.ingest import eutils as eutils_ingest
from articles.ingest.files import IngestStats, ingest_files
from articles.pubmed.client import EutilsClient
from articles.pubmed.ratelimit import RateLimiter
from tests.eutils_server import EUTILS, FIXTURES, FakeEutils, max_in_window

HAWC_259 = FIXTURES / "hawc_259_records.xml.gz"
SEARCH_259 = EUTILS / "esearch_pubmed_complex_query_259ids.xml"
QUERY_259 = etree.parse(str(SEARCH_259)).findtext("QueryTranslation")
IDS_259 = [int(i) for i in etree.parse(str(SEARCH_259)).xpath("//IdList/Id/text()")]

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(settings):
    with FakeEutils() as fake:
        fake.add_records(HAWC_259)
        fake.add_search(QUERY_259, SEARCH_259)
        settings.NCBI_EUTILS_URL = fake.url
        settings.NCBI_EMAIL = "tests@example.org"
        settings.NCBI_TOOL = "casebook-tests"
        settings.NCBI_API_KEY = ""
        yield fake


def command(*args: str, workers: str = "0") -> tuple[str, str, CommandError | None]:
    """Run ingest_pubmed; parser processes only where a test asks for them."""
    stdout, stderr = StringIO(), StringIO()
    options = ["--timeout", "2", "--workers", workers]
    try:
        call_command("ingest_pubmed", *args, *options, stdout=stdout, stderr=stderr)
    except CommandError as exc:
        return stdout.getvalue(), stderr.getvalue(), exc
    return stdout.getvalue(), stderr.getvalue(), None


def ingest(*args: str, workers: str = "0") -> tuple[str, str]:
    stdout, stderr, error = command(*args, workers=workers)
    if error is not None:
        raise error
    return stdout, stderr


def ingest_failing(*args: str, workers: str = "0") -> tuple[str, str, CommandError]:
    stdout, stderr, error = command(*args, workers=workers)
    assert error is not None and error.returncode == 1
    return stdout, stderr, error


SOURCE_TABLES = [
    m.Article,
    m.Journal,
    m.Author,
    m.Affiliation,
    m.AbstractSection,
    m.MeshDescriptor,
    m.MeshQualifier,
    m.MeshHeading,
    m.MeshHeadingQualifier,
    m.PublicationType,
    m.ArticlePublicationType,
    m.SupplementaryConcept,
    m.Substance,
    m.Keyword,
    m.Grant,
    m.ArticleId,
    m.Reference,
    m.CommentCorrection,
]
# Where and when a row was written, and surrogate keys a database hands out.
PROVENANCE = {
    "first_ingested_at",
    "last_changed_at",
    "source_file",
    "source_key",
    "source_position",
}


def snapshot() -> dict[str, list[tuple]]:
    """Every source row, comparable across two databases' worth of surrogate keys."""
    rows = {}
    for model in SOURCE_TABLES:
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in PROVENANCE and not (f.primary_key and f.attname == "id")
        ]
        if model is m.Article:
            names = [n if n != "journal_id" else "journal__key" for n in names]
        if model in (m.MeshHeadingQualifier, m.Affiliation):
            names = [n for n in names if n not in ("heading_id", "author_id")]
            names.append("heading_id" if model is m.MeshHeadingQualifier else "author_id")
        rows[model.__name__] = sorted(
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in model.objects.values_list(*names)
        )
    return rows


def clear_source_tables() -> None:
    # Articles first: their rows cascade, and journals and vocabularies are protected.
    for model in (m.Article, m.Journal, m.MeshDescriptor, m.MeshQualifier, m.PublicationType):
        model.objects.all().delete()
    assert all(not model.objects.exists() for model in SOURCE_TABLES)


# End to end ----------------------------------------------------------------------------------


def test_it_ingests_every_record_of_a_query_with_nothing_missing(server):
    stdout, stderr = ingest("--query", QUERY_259)

    assert stdout == "created 259, updated 0, unchanged 0, deleted 0, failed 0\n"
    assert stderr == ""
    assert set(m.Article.objects.values_list("pmid", flat=True)) == set(IDS_259)
    assert sorted(server.fetched_ids()) == sorted(IDS_259)
    run = m.IngestRun.objects.get()
    assert run.status == m.IngestRun.Status.COMPLETED
    assert (run.matched, run.to_fetch, run.position, run.created) == (259, 259, 259, 259)
    assert run.failures == []
    assert run.plan == [{"mindate": "", "maxdate": "", "count": 259}]
    assert run.finished_at is not None


@pytest.mark.parametrize("workers", ["0", "2"])
def test_it_stores_the_same_rows_as_ingesting_the_file(server, workers):
    ingest_files([HAWC_259])
    from_file = snapshot()
    clear_source_tables()

    ingest("--query", QUERY_259, "--batch-size", "100", workers=workers)

    assert snapshot() == from_file
    assert m.Article.objects.filter(source_file__startswith="EFetch run").count() == 259


def test_it_keeps_to_the_rate_limit_during_a_run(server):
    ingest("--query", QUERY_259, "--batch-size", "50")

    arrivals = [r.at for r in server.requests()]
    assert len(arrivals) == 7  # ESearch and six EFetch batches
    assert max_in_window(arrivals, 1.0) <= 3


def test_it_ingests_pmids_from_options_and_from_a_file(server, tmp_path):
    pmid_file = tmp_path / "ids.txt"
    pmid_file.write_text(
        f"# from a colleague\n{IDS_259[2]}, {IDS_259[3]}\n\n{IDS_259[4]}  # the last one\n"
    )

    stdout, _ = ingest("--pmid", str(IDS_259[0]), "--pmid", str(IDS_259[1]), "--pmid-file",
                       str(pmid_file))  # fmt: skip

    assert stdout == "created 5, updated 0, unchanged 0, deleted 0, failed 0\n"
    run = m.IngestRun.objects.get()
    assert run.source == m.IngestRun.Source.PMIDS
    assert run.requested_pmids == IDS_259[:5]
    assert server.fetched_ids() == IDS_259[:5]


def test_it_reports_a_missing_pmid_by_number_and_exits_non_zero(server):
    stdout, stderr, error = ingest_failing("--pmid", str(IDS_259[0]), "--pmid", "99999999")

    assert stdout == "created 1, updated 0, unchanged 0, deleted 0, failed 1\n"
    assert "PMID 99999999: not returned by EFetch, even when asked again" in stderr
    assert str(error) == "1 failed"
    assert [r.ids for r in server.requests("efetch")] == [[IDS_259[0], 99999999], [99999999]]
    run = m.IngestRun.objects.get()
    assert run.status == m.IngestRun.Status.COMPLETED
    assert [(f["pmid"], f["batch"]) for f in run.failures] == [(99999999, 1)]


def test_it_does_not_fetch_stored_articles_again_unless_asked_to_refresh(server):
    ingest("--pmid", str(IDS_259[0]), "--pmid", str(IDS_259[1]))

    again, _ = ingest(*[f"--pmid={pmid}" for pmid in IDS_259[:3]])
    assert again == (
        "created 1, updated 0, unchanged 0, deleted 0, failed 0 (2 already stored, not fetched)\n"
    )
    assert server.fetched_ids()[2:] == [IDS_259[2]]

    refreshed, _ = ingest("--pmid", str(IDS_259[0]), "--pmid", str(IDS_259[1]), "--refresh")
    assert refreshed == "created 0, updated 0, unchanged 2, deleted 0, failed 0\n"
    assert server.fetched_ids()[3:] == IDS_259[:2]


def test_it_recovers_from_misbehaviour_without_losing_a_record(server):
    server.misbehave("esearch", "500")
    server.misbehave_for(IDS_259[0], "429")
    server.misbehave_for(IDS_259[100], "truncated")
    server.misbehave_for(IDS_259[200], "error")
    server.drop_once(IDS_259[250])

    stdout, _ = ingest("--query", QUERY_259, "--batch-size", "100")

    assert stdout == "created 259, updated 0, unchanged 0, deleted 0, failed 0\n"
    assert m.Article.objects.count() == 259


# Stopping and resuming -----------------------------------------------------------------------


def test_it_stops_with_a_clear_message_and_resumes_without_refetching_stored_batches(server):
    server.misbehave_for(IDS_259[100], "500", "500")

    stdout, _, error = ingest_failing("--query", QUERY_259, "--batch-size", "100",
                                      "--attempts", "2")  # fmt: skip

    run = m.IngestRun.objects.get()
    assert stdout == "created 100, updated 0, unchanged 0, deleted 0, failed 0\n"
    assert str(error) == (
        f"run {run.pk} stopped: EFetch batch 2 of 3 (100 PMIDs, PMIDs {IDS_259[100]}…"
        f"{IDS_259[199]}) failed after 2 attempts: HTTP 500 Internal Server Error: 500 "
        "Internal Server Error Internal Server Error The server encountered an internal error "
        "and was unable to complete your request.; 100 of 259 PMIDs done. "
        f"Resume with: manage.py ingest_pubmed --resume {run.pk}"
    )
    assert (run.status, run.position) == (m.IngestRun.Status.FAILED, 100)
    assert run.failures[-1]["batch"] == 2
    assert m.Article.objects.count() == 100
    before = len(server.requests())

    resumed, _ = ingest("--resume", str(run.pk))

    assert resumed == "created 159, updated 0, unchanged 0, deleted 0, failed 0\n"
    later = server.requests()[before:]
    assert [r.endpoint for r in later] == ["efetch", "efetch"]
    assert sorted(i for r in later for i in r.ids) == sorted(IDS_259[100:])
    run.refresh_from_db()
    assert (run.status, run.position, run.created) == (m.IngestRun.Status.COMPLETED, 259, 259)
    assert m.Article.objects.count() == 259


@pytest.mark.parametrize(
    ("fault", "stored", "where", "workers"),
    [
        ("stray", 1, "record 2: XML breaks after record 1: unexpected 'stray text'", "0"),
        ("stray", 1, "record 2: XML breaks after record 1: unexpected 'stray text'", "2"),
        ("entity", 0, "record 1: declares XML entities (<!ENTITY>); PubMed files never do, "
                      "so it is refused", "0"),
    ],
)  # fmt: skip
def test_it_names_each_pmid_a_broken_response_cost_and_fetches_them_on_resume(
    server, fault, stored, where, workers
):
    # The response holds all five records (in the order of the file served) and passes the
    # client's byte check, but the parser stops where it breaks.
    server.misbehave_for(IDS_259[0], fault)
    pmids = [f"--pmid={pmid}" for pmid in IDS_259[:5]]

    stdout, stderr, error = ingest_failing(*pmids, workers=workers)

    run = m.IngestRun.objects.get()
    served = [pmid for pmid in server.add_records(HAWC_259) if pmid in IDS_259[:5]]
    unread = [pmid for pmid in IDS_259[:5] if pmid not in served[:stored]]
    reason = (
        "sent by EFetch but not stored, as the response breaks before its record; --resume "
        f"fetches it again (EFetch run {run.pk} batch 1: {where})"
    )
    assert stdout == f"created {stored}, updated 0, unchanged 0, deleted 0, failed {5 - stored}\n"
    assert stderr.splitlines() == [f"PMID {pmid}: {reason}" for pmid in unread]
    assert str(error) == (
        f"run {run.pk} stopped: {5 - stored} PMIDs came in EFetch responses that could not be "
        f"read (named above); 5 of 5 PMIDs done. Resume with: manage.py ingest_pubmed "
        f"--resume {run.pk}"
    )
    assert (run.status, run.position, run.created, run.failed) == (
        m.IngestRun.Status.FAILED, 5, stored, 5 - stored,
    )  # fmt: skip
    assert [(f["pmid"], f["batch"], f["reason"]) for f in run.failures] == [
        (pmid, 1, reason) for pmid in unread
    ]

    resumed, _ = ingest("--resume", str(run.pk), workers=workers)

    assert resumed == f"created {5 - stored}, updated 0, unchanged 0, deleted 0, failed 0\n"
    assert server.requests("efetch")[-1].ids == unread
    run.refresh_from_db()
    assert (run.status, run.created, run.failed, run.failures) == (
        m.IngestRun.Status.COMPLETED, 5, 0, [],
    )  # fmt: skip
    assert sorted(m.Article.objects.values_list("pmid", flat=True)) == sorted(IDS_259[:5])


def test_it_keeps_the_pmids_to_fetch_again_when_storing_them_fails(server, monkeypatch):
    server.misbehave_for(IDS_259[0], "entity")
    ingest_failing(*[f"--pmid={pmid}" for pmid in IDS_259[:2]])

    def power_cut(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(eutils_ingest.ingest, "store_mapped", power_cut)
    run = m.IngestRun.objects.get()
    with pytest.raises(RuntimeError):
        ingest("--resume", str(run.pk))

    run.refresh_from_db()
    assert run.status == m.IngestRun.Status.FAILED
    assert [f["pmid"] for f in run.failures if f.get("fetch_again")] == IDS_259[:2]
    assert run.failed == 2


def test_it_leaves_a_run_resumable_when_an_unexpected_error_stops_it(server, monkeypatch):
    def crash(*args, **kwargs):
        raise ValueError("could not convert string to float: 'nan'")

    monkeypatch.setattr(eutils_ingest, "_store", crash)

    with pytest.raises(ValueError):
        ingest("--pmid", str(IDS_259[0]))

    run = m.IngestRun.objects.get()
    assert run.status == m.IngestRun.Status.FAILED
    assert run.failures[-1]["reason"] == (
        "stopped by an unexpected error: ValueError(\"could not convert string to float: 'nan'\")"
    )


def test_it_resumes_a_run_that_was_killed_before_it_searched(server):
    run = eutils_ingest.start_query_run(QUERY_259)

    stdout, _ = ingest("--resume", str(run.pk))

    assert stdout == "created 259, updated 0, unchanged 0, deleted 0, failed 0\n"
    assert [r.endpoint for r in server.requests()][0] == "esearch"


def test_it_refuses_to_resume_a_finished_or_unknown_run(server):
    ingest("--pmid", str(IDS_259[0]))
    run = m.IngestRun.objects.get()

    with pytest.raises(CommandError, match=f"Run {run.pk} is already complete"):
        ingest("--resume", str(run.pk))
    with pytest.raises(CommandError, match="No ingest run 999"):
        ingest("--resume", "999")


def test_it_marks_an_interrupted_run(server, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(eutils_ingest, "_store", interrupt)

    with pytest.raises(KeyboardInterrupt):
        ingest("--pmid", str(IDS_259[0]))

    run = m.IngestRun.objects.get()
    assert (run.status, run.position) == (m.IngestRun.Status.INTERRUPTED, 0)


# Planning a large query ----------------------------------------------------------------------


def test_it_records_the_slicing_plan_of_a_query_over_9999_records(server):
    term = "interstitial lung disease"
    dates = {40_000_000 + n: dt.date(2000, 1, 1) + dt.timedelta(days=n // 4) for n in range(25_000)}
    server.add_dated_search(term, dates)
    client = EutilsClient(base_url=server.url, email="t@example.org", limiter=RateLimiter(100))
    run = eutils_ingest.start_query_run(
        term, mindate=dt.date(2000, 1, 1), maxdate=dt.date(2019, 12, 31), datetype="edat"
    )

    eutils_ingest.plan(run, client, IngestStats())

    run.refresh_from_db()
    assert run.matched == 25_000
    assert run.to_fetch == 25_000
    assert sorted(run.pmids) == sorted(dates)
    assert len(run.plan) > 2
    assert all(s["count"] <= 9_999 for s in run.plan)
    assert sum(s["count"] for s in run.plan) == 25_000
    assert run.parameters == {
        "datetype": "edat",
        "refresh": False,
        "batch_size": 200,
        "mindate": "2000/01/01",
        "maxdate": "2019/12/31",
    }


# Options -------------------------------------------------------------------------------------


def test_it_asks_for_an_email_address_before_calling_ncbi(server, settings):
    settings.NCBI_EMAIL = ""

    with pytest.raises(CommandError, match="Set NCBI_EMAIL"):
        ingest("--pmid", "1")

    assert server.requests() == []
    assert not m.IngestRun.objects.exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--query", "x", "--pmid", "1"], "Use one of"),
        (["--pmid", "1", str(HAWC_259)], "not both"),
        (["--pmid", "1", "--batch-size", "501"], "1 to 500"),
        (["--query", "x", "--mindate", "2020-01-01"], "expected YYYY/MM/DD"),
        (["--pmid", "1", "--mindate", "2020/01/01"], "go with --query"),
        (["--pmid", "1", "--dry-run"], "files only"),
    ],
)
def test_it_refuses_options_that_do_not_go_together(server, args, message):
    with pytest.raises(CommandError, match=message):
        ingest(*args)

    assert server.requests() == []


def test_it_names_the_line_of_a_bad_pmid_file(server, tmp_path):
    pmid_file = tmp_path / "ids.txt"
    pmid_file.write_text("19387736\nPMC12345\n")

    with pytest.raises(CommandError, match=r"ids.txt:2: 'PMC12345' is not a PMID"):
        ingest("--pmid-file", str(pmid_file))


# Where people see it -------------------------------------------------------------------------


def test_it_shows_runs_in_the_admin(server, admin_client):
    ingest("--query", QUERY_259, "--batch-size", "300")
    run = m.IngestRun.objects.get()

    listing = admin_client.get(reverse("admin:articles_ingestrun_changelist"))
    page = admin_client.get(reverse("admin:articles_ingestrun_change", args=[run.pk]))

    assert listing.status_code == 200
    assert "259 of 259" in listing.content.decode()
    assert page.status_code == 200
    assert "Completed" in page.content.decode()


def test_it_shows_the_ncbi_disclaimer_and_copyright_notice_in_the_footer(client):
    page = client.get(reverse("articles:list")).content.decode()

    footer = page[page.index('<footer class="site-footer">') :]
    assert "https://www.ncbi.nlm.nih.gov/home/about/policies/" in footer
    assert "NCBI disclaimer and copyright notice" in footer
