"""Ingest stores the concepts the title, abstract and keywords name
(articles/text/recognise), beside those of MeSH indexing, and the filters find them. The seed
record is PMID 19387736 as its PubMed page shows it: title and abstract, no MeSH
(tests/fixtures/README.md)."""

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.http import QueryDict

from articles.browse.filters import ArticleFilter
from articles.curation import actions as curation
from articles.ingest.files import ingest_files
from articles.models import Article, ArticleConcept
from articles.text.mesh import load_mesh

FIXTURES = Path(__file__).parent / "fixtures"
SEED = 19387736
DEMO = Path(__file__).parent.parent / "articles" / "demo" / "pubmed21n1298_case_reports.xml.gz"


@pytest.fixture
def seed(db):
    stats = ingest_files([FIXTURES / "seed_19387736_from_page.xml"])
    assert stats.failed == 0, stats.problems
    load_mesh()  # the bundled MeSH 2024: names the filters resolve


def pmids(query: str) -> list[int]:
    filterset = ArticleFilter(QueryDict(query), queryset=Article.objects.visible())
    assert filterset.is_valid(), filterset.form.errors
    return sorted(filterset.qs.values_list("pk", flat=True))


def test_the_seed_without_mesh_is_found_by_its_disease_and_therapy(seed):
    assert pmids("disease=Dermatomyositis") == [SEED]
    assert pmids("disease=Polymyositis") == [SEED]
    assert pmids("disease=Lung Diseases, Interstitial") == [SEED]
    assert pmids("therapy=IVIG") == [SEED]
    assert pmids("therapy=Immunoglobulins, Intravenous&disease=Dermatomyositis") == [SEED]


def test_the_seed_s_earlier_therapies_are_stored_as_prior(seed):
    rows = ArticleConcept.objects.filter(article_id=SEED, role="therapy")
    prior = set(rows.filter(prior=True).values_list("descriptor__name", flat=True))

    assert {"Cyclosporine", "Cyclophosphamide", "Adrenal Cortex Hormones"} <= prior
    assert not rows.get(descriptor__name="Immunoglobulins, Intravenous").prior


def test_text_concepts_keep_their_evidence_spans(seed):
    article = Article.objects.for_detail().get(pk=SEED)
    row = ArticleConcept.objects.get(article_id=SEED, descriptor_id="D017563")  # ILD

    assert row.source == "text"
    title = row.evidence[0]
    assert title == {"source": "title", "start": 50, "end": 75, "text": "interstitial lung disease"}
    assert article.title[title["start"] : title["end"]] == title["text"]
    assert json.dumps(row.evidence).count('"source"') == len(row.evidence)


def test_a_text_concept_a_curator_rejects_leaves_the_filter(seed):
    curator = get_user_model().objects.create_user("cora", is_staff=True)

    curation.correct(SEED, "concept:therapy:D016756", "no", user=curator)

    assert pmids("therapy=IVIG") == []
    assert pmids("disease=Dermatomyositis") == [SEED]


def test_most_demo_records_get_concepts_from_their_text(db):
    # Only 20 of these 354 records of a 2021 update file were indexed with MeSH yet.
    ingest_files([DEMO])

    with_disease = ArticleConcept.objects.filter(role="disease").order_by().values("article")
    assert with_disease.distinct().count() == 344  # of 354; MeSH alone gives 20
