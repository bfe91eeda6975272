"""The curated read model (articles/curated.py): a curator's correction of a case fact or a
concept is what every filter and facet finds. Real 1977-79 records (tests/fixtures/README.md)."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.http import QueryDict

from articles import curated, curation
from articles.derive import rederive
from articles.export import article_to_dict
from articles.filters import ArticleFilter
from articles.ingest import ingest_files
from articles.mesh import load_mesh
from articles.models import Article, ArticleConcept, CaseFacts, Correction

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
