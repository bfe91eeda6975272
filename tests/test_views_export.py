"""Citation downloads from the article page and the whole filtered list, on real records."""

import csv
import dataclasses
import gc
import io
import json
import re
import tracemalloc
from pathlib import Path

import bibtexparser
import pytest
import rispy
from Bio import Medline
from django.contrib.auth.models import User
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import views
from articles.curation import actions as curation
from articles.ingest.files import ingest_files, ingest_records
from articles.models import Curation
from articles.pubmed import records as r
from articles.pubmed.parser import parse
from articles.text.mesh import load_mesh
from tests.test_views_browse import add_filler

FIXTURES = Path(__file__).parent / "fixtures"
STRUCTURED = 21813367

CONTENT_TYPES = {
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "nbib": ("application/nbib; charset=utf-8", "nbib"),
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "csl-json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
}
NO_ABSTRACT_PMIDS = [598790, 769879, 3583306, 3770794, 6677511, 7161829]
# Queries a chunk of iter_export may cost: the articles with their journal, case facts and
# curation, then one per prefetched related table (see articles.exports.records.EXPORT_PREFETCHES).
MAX_QUERIES_PER_CHUNK = 16
CORRECTED_TITLE = "PFOA exposure estimates in the C8 Health Project."
PUBMED_TITLE = (
    "Retrospective exposure estimation and predicted versus observed serum "
    "perfluorooctanoic acid concentrations for participants in the C8 Health Project."
)


def ingest(*names: str) -> None:
    stats = ingest_files([FIXTURES / name for name in names])
    assert stats.failed == 0, stats.problems


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def csv_pmids(text: str) -> list[int]:
    assert text.startswith("\ufeff")
    return [int(row["pmid"]) for row in csv.DictReader(io.StringIO(text[1:], newline=""))]


def article_selects(queries: list[dict]) -> list[str]:
    """The chunk queries of iter_export: those reading articles_article itself."""
    return [q["sql"] for q in queries if re.match(r'SELECT "articles_article"\."pmid"', q["sql"])]


# One article ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CONTENT_TYPES))
def test_it_downloads_one_article_with_type_and_filename(client, name):
    ingest("hawc_structured_abstract_21813367.xml")

    response = client.get(reverse("articles:export", args=[STRUCTURED, name]))

    content_type, extension = CONTENT_TYPES[name]
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="pubmed-21813367.{extension}"'
    )
    assert "21813367" in body(response)


@pytest.mark.django_db
def test_it_downloads_one_article_as_ris_rispy_reads(client):
    ingest("hawc_structured_abstract_21813367.xml")

    response = client.get(f"/{STRUCTURED}/export/ris/")
    [entry] = rispy.loads(body(response))

    assert entry["accession_number"] == "21813367"
    assert entry["doi"] == "10.1289/ehp.1103729"


@pytest.mark.django_db
def test_it_answers_404_for_an_unknown_format_article_or_withdrawn_article(client):
    ingest("hawc_structured_abstract_21813367.xml", "hawc_collective_author_21860499.xml")
    ingest_records([r.Deletion(pmids=(21860499,))], source="pubmed26n0001.xml.gz")

    assert client.get(f"/{STRUCTURED}/export/docx/").status_code == 404
    assert client.get("/1/export/ris/").status_code == 404
    assert client.get("/21860499/export/ris/").status_code == 404


@pytest.mark.django_db
def test_it_offers_every_format_on_the_article_page(client):
    ingest("hawc_structured_abstract_21813367.xml")

    html = client.get(f"/{STRUCTURED}/").content.decode()

    assert (
        '<h2 id="article-export-heading" class="export-menu__heading">Download citation</h2>'
        in html
    )
    for name, label in [
        ("ris", "RIS"),
        ("nbib", "MEDLINE (.nbib)"),
        ("bibtex", "BibTeX"),
        ("csl-json", "CSL-JSON"),
        ("csv", "CSV"),
    ]:
        assert f'<a href="/21813367/export/{name}/" download>{label}</a>' in html


def unbraced(text: str) -> str:
    return text.replace("{", "").replace("}", "")


def titles_and_authors(name: str, text: str) -> list[tuple[str, list[str]]]:
    """(title, author names) of each record, as an independent reader of the format reads
    them. A corrected name stands whole, as a group's name does (NBIB's CN, BibTeX braces)."""
    if name == "ris":
        return [(e["title"], e["authors"]) for e in rispy.loads(text)]
    if name == "nbib":
        entries = Medline.parse(io.StringIO(text))
        return [(e["TI"], e.get("CN", []) + e.get("FAU", [])) for e in entries]
    if name == "bibtex":
        # Braces protect capitalised words ("{PFOA}") and group names from case changes.
        return [
            (unbraced(e["title"]), unbraced(e["author"]).split(" and "))
            for e in bibtexparser.parse_string(text).entries
        ]
    if name == "csl-json":
        return [
            (item["title"], [a.get("literal") or a["family"] for a in item["author"]])
            for item in json.loads(text)
        ]
    rows = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    return [(row["title"], row["authors"].split("; ")) for row in rows]


@pytest.fixture
def corrected(db):
    ingest("hawc_structured_abstract_21813367.xml", "hawc_collective_author_21860499.xml")
    curator = User.objects.create_user("cora", is_staff=True)
    curation.correct(STRUCTURED, "title", CORRECTED_TITLE, user=curator)
    curation.correct(STRUCTURED, "author:0:name", "Shin Hyeong-Moo", user=curator)


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CONTENT_TYPES))
def test_every_format_shows_curators_corrections_not_pubmeds_values(client, corrected, name):
    one = body(client.get(f"/{STRUCTURED}/export/{name}/"))
    listed = body(client.get(f"/export/{name}/"))

    [(title, authors)] = titles_and_authors(name, one)
    assert title == CORRECTED_TITLE
    assert "Shin Hyeong-Moo" in authors
    assert titles_and_authors(name, listed)[0] == (title, authors)
    assert "Retrospective exposure estimation" not in one + listed
    assert "Shin, Hyeong-Moo" not in one + listed


# The filtered list ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_exports_the_whole_filtered_list_not_just_the_page(client):
    ingest("hawc_259_records.xml.gz")

    response = client.get("/export/csv/", {"has_abstract": "false", "page": 2, "per_page": 10})

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="casebook-articles.csv"'
    assert csv_pmids(body(response)) == NO_ABSTRACT_PMIDS


@pytest.mark.django_db
def test_it_exports_with_the_same_filters_as_the_list(client):
    ingest("hawc_259_records.xml.gz")
    params = {"journal": "Environ Health Perspect", "year_from": 2010, "year_to": 2012}

    listed = client.get("/", {**params, "per_page": 200}).context["article_list"]
    items = json.loads(body(client.get("/export/csl-json/", params)))

    assert sorted(int(item["PMID"]) for item in items) == sorted(a.pmid for a in listed)
    assert len(items) > 0
    assert {item["container-title-short"] for item in items} == {"Environ Health Perspect"}


@pytest.mark.django_db
def test_it_leaves_withdrawn_articles_out_of_a_list_export(client):
    ingest("hawc_259_records.xml.gz")
    ingest_records([r.Deletion(pmids=(598790,))], source="pubmed26n0001.xml.gz")

    pmids = csv_pmids(body(client.get("/export/csv/", {"has_abstract": "false"})))

    assert pmids == NO_ABSTRACT_PMIDS[1:]


@pytest.mark.django_db
def test_it_refuses_invalid_filters_instead_of_exporting_everything(client):
    ingest("hawc_259_records.xml.gz")

    response = client.get("/export/ris/", {"year_from": "last year"})

    assert response.status_code == 400
    assert "Enter a number." in response.content.decode()


@pytest.mark.django_db
def test_it_links_the_list_export_keeping_filters_but_not_the_page(client):
    ingest("hawc_259_records.xml.gz")

    html = client.get("/", {"has_abstract": "false", "page": 1, "per_page": 10}).content.decode()

    assert "Export all 6 results" in html
    assert '<a href="/export/nbib/?has_abstract=false" download>MEDLINE (.nbib)</a>' in html


@pytest.mark.django_db
def test_the_list_export_heading_counts_every_article_past_ten_thousand(client):
    # It said "Export all 10001 results": the list reads its first 10,001 matches only.
    ingest("hawc_259_records.xml.gz")
    add_filler(10_000)

    html = client.get("/").content.decode()
    pmids = csv_pmids(body(client.get("/export/csv/")))

    assert "Export all 10,259 results" in html
    assert "10,259 articles (pages cover the first 10,000)" in html
    assert len(pmids) == 10_259
    assert {598790, 39180124, 30_000_001, 30_010_000} <= set(pmids)


@pytest.mark.django_db
def test_it_streams_a_list_export_one_chunk_of_queries_at_a_time(client, monkeypatch):
    ingest("pubmed20n0014_excerpt_23.xml.gz")
    monkeypatch.setattr(views, "EXPORT_CHUNK_SIZE", 5)

    with CaptureQueriesContext(connection) as before_reading:
        response = client.get("/export/nbib/")
    assert response.streaming
    assert before_reading.captured_queries == []  # nothing is read until the body is sent

    parts = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as first_record:
        next(parts)  # the (empty) header
        next(parts)  # the first record
    assert len(article_selects(first_record.captured_queries)) == 1
    assert len(first_record.captured_queries) <= MAX_QUERIES_PER_CHUNK

    with CaptureQueriesContext(connection) as the_rest:
        text = "".join(part.decode() for part in parts)
    # 23 records in chunks of 5: four more chunk queries (10, 15, 20, and the last 3).
    assert len(article_selects(the_rest.captured_queries)) == 4
    assert len(the_rest.captured_queries) <= 4 * MAX_QUERIES_PER_CHUNK
    assert all("LIMIT 5" in sql for sql in article_selects(the_rest.captured_queries))
    assert len(list(Medline.parse(io.StringIO(text)))) == 22  # the first went out already


@pytest.mark.django_db
def test_query_count_follows_chunks_not_articles(client, monkeypatch):
    ingest("pubmed20n0014_excerpt_23.xml.gz")

    def queries_for(chunk_size: int) -> int:
        monkeypatch.setattr(views, "EXPORT_CHUNK_SIZE", chunk_size)
        with CaptureQueriesContext(connection) as captured:
            text = body(client.get("/export/ris/"))
        assert text.count("ER  - ") == 23
        return len(captured.captured_queries)

    one_chunk = queries_for(100)
    assert one_chunk <= MAX_QUERIES_PER_CHUNK
    assert queries_for(23) == one_chunk + 1  # a full last chunk asks once more, gets nothing
    assert queries_for(12) <= 2 * one_chunk


@pytest.mark.django_db
def test_the_csv_carries_case_facts_diseases_and_therapies_as_corrected(client):
    ingest("pubmed20n0014_browse_52.xml.gz")
    load_mesh(FIXTURES / "mesh_2024_browse_excerpt.tsv.gz")
    curator = User.objects.create_user("cora", is_staff=True)
    # PMID 412160: "Disodium cromoglycate in five children with intractable asthma."
    curation.correct(412160, "facts:patient_count", "6", user=curator)
    curation.correct(412160, "concept:therapy:D006854", "yes", user=curator)  # Hydrocortisone

    rows = {
        int(row["pmid"]): row
        for row in csv.DictReader(io.StringIO(body(client.get("/export/csv/"))[1:], newline=""))
    }
    casebook_columns = (
        "case_kind",
        "patient_count",
        "male_count",
        "female_count",
        "age_min_years",
        "age_max_years",
        "age_mean_years",
        "age_median_years",
        "diseases",
        "therapies",
        "curation_status",
    )

    assert [rows[412160][name] for name in casebook_columns] == [
        "case_series",
        "6",
        "",
        "",
        "",
        "",
        "",
        "",
        "Asthma",
        "Cromolyn Sodium; Hydrocortisone",
        "unreviewed",
    ]
    # PMID 408630, a 71-year-old man.
    assert [rows[408630][name] for name in casebook_columns[:8]] == [
        "case_report",
        "1",
        "1",
        "0",
        "71",
        "71",
        "",
        "",
    ]


# Curators' CSV -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_adds_curation_notes_to_csv_for_curators_only(client):
    ingest("hawc_structured_abstract_21813367.xml", "hawc_collective_author_21860499.xml")
    Curation.objects.create(
        article_id=STRUCTURED, status=Curation.Status.INCLUDED, notes="=PFOA cohort\nsecond line"
    )

    anonymous = body(client.get("/export/csv/"))
    client.force_login(User.objects.create_user("curator", is_staff=True))
    response = client.get("/export/csv/")
    rows = list(csv.DictReader(io.StringIO(body(response)[1:], newline="")))

    # The status is public (what the API and the JSON export say too); notes are not.
    public_rows = list(csv.DictReader(io.StringIO(anonymous[1:], newline="")))
    assert [(r["pmid"], r["curation_status"]) for r in public_rows] == [
        ("21813367", "included"),
        ("21860499", "unreviewed"),
    ]
    assert "curation_notes" not in public_rows[0]
    assert "PFOA cohort" not in anonymous
    assert [(r["pmid"], r["curation_status"], r["curation_notes"]) for r in rows] == [
        ("21813367", "included", "'=PFOA cohort\nsecond line"),
        ("21860499", "unreviewed", ""),
    ]
    assert response["Cache-Control"] == "private"
    single = body(client.get(f"/{STRUCTURED}/export/csv/"))
    assert single.splitlines()[0].endswith(",curation_status,curation_notes")


@pytest.mark.django_db
def test_a_signed_in_non_curator_gets_the_public_csv(client):
    ingest("hawc_structured_abstract_21813367.xml")
    Curation.objects.create(article_id=STRUCTURED, notes="private")
    client.force_login(User.objects.create_user("reader"))

    text = body(client.get("/export/csv/"))

    assert "curation_notes" not in text
    assert "private" not in text


@pytest.mark.django_db
def test_a_list_export_holds_one_chunk_in_memory_however_many_articles(client, monkeypatch):
    # The 34 records of the pubmed21n1298 excerpt, then nine more copies of them under other
    # PMIDs: ten times the articles, chunk for chunk the same, must not raise the peak of a
    # streamed export beyond the noise of when the cyclic collector happens to run (up to a
    # quarter, measured); an export that kept its chunks would peak at several times the first.
    articles = [
        item
        for item in parse(FIXTURES / "pubmed21n1298_excerpt_34.xml.gz")
        if isinstance(item, r.Article)
    ]
    ingest_records(articles)
    monkeypatch.setattr(views, "EXPORT_CHUNK_SIZE", 17)

    def peak_and_size() -> tuple[int, int]:
        response = client.get("/export/csv/")
        size = 0
        gc.collect()  # start each measure from the same heap
        tracemalloc.start()
        try:
            for part in response.streaming_content:
                size += len(part)
            return tracemalloc.get_traced_memory()[1], size
        finally:
            tracemalloc.stop()

    peak_and_size()  # warm the caches a first export fills (compiled statements, templates)
    one_copy_peak, one_copy_size = peak_and_size()
    for copy in range(1, 10):
        ingest_records([dataclasses.replace(a, pmid=a.pmid + copy * 100_000_000) for a in articles])
    ten_copies_peak, ten_copies_size = peak_and_size()

    assert ten_copies_size > 9.9 * one_copy_size
    assert ten_copies_peak < 1.5 * one_copy_peak
