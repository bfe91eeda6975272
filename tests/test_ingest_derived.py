"""Ingest derives ArticleConcept (and CaseFacts) rows with the record's other children."""

import dataclasses
from pathlib import Path

import pytest

from articles import models as m
from articles.ingest.files import DERIVED_VERSION, ingest_files, ingest_records
from articles.pubmed.parser import parse
from articles.pubmed.records import Article

DEMO = Path(__file__).parent.parent / "articles" / "demo" / "pubmed21n1298_case_reports.xml.gz"

pytestmark = pytest.mark.django_db


def demo_article(pmid: int) -> Article:
    return next(a for a in parse(DEMO) if isinstance(a, Article) and a.pmid == pmid)


def concepts(pmid: int) -> list[tuple[str, str, str, bool]]:
    """The concepts MeSH indexing gives (headings and substances), not those only the text
    names (tests/test_ingest_text_concepts.py has those)."""
    return list(
        m.ArticleConcept.objects.filter(article_id=pmid)
        .exclude(source="text")
        .order_by("role", "descriptor_id")
        .values_list("role", "descriptor_id", "source", "major")
    )


def test_it_stores_the_concepts_of_the_pufferfish_case_pmid_31177198():
    ingest_records([demo_article(31177198)])

    assert concepts(31177198) == [
        ("cause", "D013779", "mesh", True),  # Tetrodotoxin, poisoning
        ("disease", "D005517", "mesh", True),  # Foodborne Diseases
        ("disease", "D012128", "mesh", True),  # Respiratory Distress Syndrome
        ("disease", "D019970", "mesh", False),  # Cocaine-Related Disorders
        ("disease", "D058186", "mesh", True),  # Acute Kidney Injury
        ("therapy", "D006435", "mesh", False),  # Renal Dialysis
        ("therapy", "D012121", "mesh", False),  # Respiration, Artificial
    ]


def test_it_replaces_the_concepts_when_the_record_changes():
    article = demo_article(31177198)
    ingest_records([article])
    without_poison = tuple(h for h in article.mesh_headings if h.ui != "D013779")
    changed = dataclasses.replace(
        article, mesh_headings=without_poison, xml=article.xml + b"<!-- v2 -->"
    )

    stats = ingest_records([changed])

    assert stats.updated == 1
    assert [c for c in concepts(31177198) if c[0] == "cause"] == []
    # With no heading to qualify it, the substance Tetrodotoxin reads as an unqualified drug.
    assert ("therapy", "D013779", "substance", False) in concepts(31177198)
    assert len(concepts(31177198)) == 7


def test_the_demo_records_get_their_concepts_without_load_mesh():
    # Only 20 of these 354 records of a 2021 update file were indexed with MeSH yet.
    ingest_files([DEMO])

    assert not m.MeshTreeNumber.objects.exists()
    indexed = m.ArticleConcept.objects.exclude(source="text")
    assert indexed.values("article").distinct().count() == 20
    roles = indexed.values_list("role", flat=True)
    assert {role: list(roles).count(role) for role in set(roles)} == {
        "disease": 50,
        "therapy": 26,
        "cause": 10,
    }


LABELLED = Path(__file__).parent / "fixtures" / "facts_labels_110.xml.gz"


def test_ingest_stores_the_case_facts_of_every_record_with_their_evidence():
    ingest_files([LABELLED])

    assert m.CaseFacts.objects.count() == 110
    facts = m.CaseFacts.objects.get(article_id=34095484)
    assert (
        facts.kind,
        facts.patient_count,
        facts.male_count,
        facts.female_count,
        facts.age_min_years,
        facts.age_max_years,
        facts.has_child,
        facts.has_adult,
        facts.has_older_adult,
        facts.rules_version,
    ) == ("case_series", 4, 3, 1, 28.0, 60.0, False, True, False, DERIVED_VERSION)
    assert facts.evidence[:2] == [
        {
            "field": "patient_count",
            "source": "abstract",
            "start": 27,
            "end": 37,
            "text": "4 patients",
        },
        {"field": "male_count", "source": "abstract", "start": 346, "end": 349, "text": "man"},
    ]
    assert len(facts.evidence) == 9
    article = m.Article.objects.get(pmid=34095484)
    abstract = "\n".join(s.text for s in article.abstract_sections.order_by("position"))
    texts = {"title": article.title, "abstract": abstract}
    for item in facts.evidence:
        assert texts[item["source"]][item["start"] : item["end"]] == item["text"]


def test_a_changed_record_gets_new_case_facts():
    article = next(a for a in parse(LABELLED) if a.pmid == 34093937)
    ingest_records([article])
    assert m.CaseFacts.objects.get(article_id=34093937).male_count == 1
    changed = dataclasses.replace(
        article,
        abstract=tuple(
            dataclasses.replace(s, text=s.text.replace("70-year-old man", "70-year-old woman"))
            for s in article.abstract
        ),
        xml=article.xml + b"<!-- v2 -->",
    )

    ingest_records([changed])

    facts = m.CaseFacts.objects.get(article_id=34093937)
    assert (facts.male_count, facts.female_count) == (0, 1)


def test_ingest_stores_the_literature_cases_reviewed_beside_one_case_pmid_34095477():
    ingest_files([Path(__file__).parent / "fixtures" / "pubmed21n1298_facts_9.xml.gz"])

    facts = m.CaseFacts.objects.get(article_id=34095477)  # a case and "We found 6 cases"
    assert (facts.kind, facts.patient_count, facts.reviewed_count) == ("case_report", 1, 6)
    assert [e["text"] for e in facts.evidence if e["field"] == "reviewed_count"] == ["6 cases"]
    series = m.CaseFacts.objects.get(article_id=33839063)  # "We report 8 cases"
    assert (series.kind, series.patient_count, series.reviewed_count) == ("case_series", 8, None)
