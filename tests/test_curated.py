"""The curated read model (articles/curated.py): a curator's correction of a case fact or a
concept is what every filter and facet finds, and every output shows. Real 1977-79 records
(tests/fixtures/README.md)."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import QueryDict
from django.test import Client

from articles import curated
from articles.browse.filters import ArticleFilter
from articles.curation import actions as curation
from articles.exports.records import article_to_dict
from articles.ingest.derive import rederive
from articles.ingest.files import ingest_files
from articles.models import Article, ArticleConcept, CaseFacts, Correction
from articles.text.mesh import load_mesh

FIXTURES = Path(__file__).parent / "fixtures"
CROMOLYN = 403383  # "Cromolyn sodium in the simultaneous treatment of allergic rhinitis and ..."
ASTHMA, CROMOLYN_SODIUM = "D001249", "D004205"
IVIG = "D016756"  # Immunoglobulins, Intravenous


@pytest.fixture
def records(db):
    stats = ingest_files([FIXTURES / "pubmed20n0014_browse_52.xml.gz"])
    assert stats.failed == 0, stats.problems
    load_mesh(FIXTURES / "mesh_2024_browse_excerpt.tsv.gz")
    return get_user_model().objects.create_user("cora", is_staff=True)


def pmids(query: str) -> list[int]:
    filterset = ArticleFilter(QueryDict(query), queryset=Article.objects.visible())
    assert filterset.is_valid(), filterset.form.errors
    return sorted(filterset.qs.values_list("pk", flat=True))


def test_a_corrected_patient_count_is_what_the_count_filter_reads(records):
    # PMID 412160: the rules read five patients.
    assert 412160 in pmids("patients_min=5")

    curation.correct(412160, "facts:patient_count", "150", user=records)

    assert 412160 not in pmids("patients_max=5")
    assert 412160 in pmids("patients_min=100")
    assert CaseFacts.objects.get(pk=412160).suggested == {"patient_count": 5}


def test_a_therapy_a_curator_adds_is_found_by_the_therapy_filter(records):
    assert CROMOLYN not in pmids("therapy=Asthma")

    curation.correct(CROMOLYN, "concept:therapy:D001249", "yes", user=records)

    assert pmids("therapy=Asthma") == [CROMOLYN]
    row = ArticleConcept.objects.get(article_id=CROMOLYN, role="therapy", descriptor_id=ASTHMA)
    assert row.source == "curator"


def test_a_concept_a_curator_rejects_leaves_the_filter_and_comes_back_when_undone(records):
    assert CROMOLYN in pmids("therapy=Cromolyn Sodium")

    correction = curation.correct(
        CROMOLYN, f"concept:therapy:{CROMOLYN_SODIUM}", "no", user=records
    )

    assert CROMOLYN not in pmids("therapy=Cromolyn Sodium")
    # The MeSH row is kept, marked, so a re-ingest can still compare with PubMed's record.
    row = ArticleConcept.objects.get(article_id=CROMOLYN, descriptor_id=CROMOLYN_SODIUM)
    assert (row.source, row.rejected) == ("mesh", True)

    correction.delete()
    curation.on_corrections_changed([CROMOLYN])

    assert CROMOLYN in pmids("therapy=Cromolyn Sodium")


def test_rederiving_keeps_the_corrections_laid_over(records):
    curation.correct(412160, "facts:patient_count", "150", user=records)
    curation.correct(CROMOLYN, f"concept:therapy:{CROMOLYN_SODIUM}", "no", user=records)

    rederive([412160, CROMOLYN])

    assert CaseFacts.objects.get(pk=412160).patient_count == 150
    assert CROMOLYN not in pmids("therapy=Cromolyn Sodium")


def test_lay_over_shows_corrected_text_in_an_exported_record(records):
    curation.correct(CROMOLYN, "title", "Cromolyn in rhinitis and asthma.", user=records)
    curation.correct(CROMOLYN, "author:0:name", "Corrected Name", user=records)
    record = article_to_dict(Article.objects.get(pk=CROMOLYN))

    shown = curated.lay_over(record, list(Correction.objects.filter(article_id=CROMOLYN)))

    assert shown["title"] == "Cromolyn in rhinitis and asthma."
    assert shown["authors"][0]["collective_name"] == "Corrected Name"
    assert shown["authors"][0]["last_name"] == ""
    # PubMed's record itself is untouched.
    assert record["title"].startswith("Cromolyn sodium in the simultaneous treatment")


# Every output -------------------------------------------------------------------------------

ASTHMA_KIDS = 412160  # "Disodium cromoglycate in five children with intractable asthma."
PUBMED_TITLE = "Disodium cromoglycate in five children"
CORRECTED_TITLE = "Cromoglycate in 150 asthmatic children."
HYDROCORTISONE = "D006854"
FORMATS = ("ris", "nbib", "bibtex", "csl-json", "csv")


def text_of(response) -> str:
    assert response.status_code == 200, response
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def shows_the_corrections(name: str, text: str) -> None:
    assert CORRECTED_TITLE in text, name
    assert PUBMED_TITLE not in text, name
    if name == "csv":
        [row] = [
            row
            for row in csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
            if row["pmid"] == str(ASTHMA_KIDS)
        ]
        assert (row["patient_count"], row["therapies"]) == (
            "150",
            "Cromolyn Sodium; Hydrocortisone",
        )


def test_a_curators_corrections_show_in_the_list_the_filters_every_export_and_the_api(
    records,
):
    curator = Client()
    curator.force_login(records)
    curation.correct(ASTHMA_KIDS, "title", CORRECTED_TITLE, user=records)
    curation.correct(ASTHMA_KIDS, "facts:patient_count", "150", user=records)
    curation.correct(ASTHMA_KIDS, f"concept:therapy:{HYDROCORTISONE}", "yes", user=records)
    visitor = Client()

    # The list, and the filters finding what the curator corrected.
    listed = text_of(visitor.get("/", {"per_page": 100}))
    assert CORRECTED_TITLE in listed and PUBMED_TITLE not in listed
    for query in ({"patients_min": 100}, {"therapy": "Hydrocortisone"}):
        page = visitor.get("/", query)
        assert [a.pmid for a in page.context["article_list"]] == [ASTHMA_KIDS], query
        assert "Case series n=150" in text_of(page)

    # Every export: the article's, the filtered list's and the basket's, in every format.
    visitor.post("/basket/add/", {"pmid": ASTHMA_KIDS})
    for name in FORMATS:
        shows_the_corrections(name, text_of(visitor.get(f"/{ASTHMA_KIDS}/export/{name}/")))
        filtered = visitor.get(f"/export/{name}/", {"therapy": "Hydrocortisone"})
        shows_the_corrections(name, text_of(filtered))
        shows_the_corrections(name, text_of(visitor.get(f"/basket/export/{name}/")))
        shows_the_corrections(name, text_of(curator.get(f"/export/{name}/")))

    # The API: list rows, found by the same filters, and the record.
    api = visitor.get("/api/v1/articles/", {"patients_min": 100, "therapy": "Hydrocortisone"})
    [row] = api.json()["results"]
    assert (row["pmid"], row["title"]) == (ASTHMA_KIDS, CORRECTED_TITLE)
    assert (row["casebook"]["patient_count"], row["casebook"]["therapies"]) == (
        150,
        ["Cromolyn Sodium", "Hydrocortisone"],
    )
    record = visitor.get(f"/api/v1/articles/{ASTHMA_KIDS}/").json()
    assert_casebook(record["casebook"])
    for name in FORMATS:
        cited = visitor.get(f"/api/v1/articles/{ASTHMA_KIDS}/", {"format": name})
        shows_the_corrections(name, text_of(cited))

    # The JSON export: PubMed's record as stored, the curators' values beside it.
    output = io.StringIO()
    call_command("export_articles", "--pmid", str(ASTHMA_KIDS), stdout=output, verbosity=0)
    [exported] = [json.loads(line) for line in output.getvalue().splitlines()]
    assert exported == record
    assert exported["title"] == "Disodium cromoglycate in five children with intractable asthma."


def assert_casebook(casebook: dict) -> None:
    assert casebook["facts"]["patient_count"] == 150
    assert casebook["facts"]["corrected"] == ["patient_count"]
    assert {"role": "therapy", "ui": HYDROCORTISONE, "name": "Hydrocortisone"}.items() <= next(
        c for c in casebook["concepts"] if c["ui"] == HYDROCORTISONE
    ).items()
    assert [(c["field"], c["value"]) for c in casebook["corrections"]] == [
        (f"concept:therapy:{HYDROCORTISONE}", "yes"),
        ("facts:patient_count", "150"),
        ("title", CORRECTED_TITLE),
    ]
