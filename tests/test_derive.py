"""articles.derive and ``extract_facts``: re-derive concepts and case facts of stored
articles after the rules change."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from articles import models as m
from articles.facts import RULES_VERSION
from articles.ingest import ingest_files

LABELLED = Path(__file__).parent / "fixtures" / "facts_labels_110.xml.gz"

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("extract_facts", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def test_it_redoes_only_articles_with_missing_or_older_facts():
    ingest_files([LABELLED])
    m.CaseFacts.objects.filter(article_id=34093937).update(rules_version="facts-0", kind="other")
    m.CaseFacts.objects.filter(article_id=34094610).delete()

    assert run() == ("re-derived 2 articles (0 concepts, 2 case facts), failed 0", "")

    facts = m.CaseFacts.objects.get(article_id=34093937)
    assert (facts.kind, facts.patient_count, facts.rules_version) == (
        "case_report",
        1,
        RULES_VERSION,
    )
    assert m.CaseFacts.objects.get(article_id=34094610).male_count == 1
    assert run() == ("re-derived 0 articles (0 concepts, 0 case facts), failed 0", "")


def test_all_rebuilds_every_article_and_its_concepts():
    ingest_files([LABELLED])
    concepts = m.ArticleConcept.objects.count()
    m.ArticleConcept.objects.filter(article_id=420638).delete()

    out, _ = run("--all")

    assert out == f"re-derived 110 articles ({concepts} concepts, 110 case facts), failed 0"
    assert m.ArticleConcept.objects.count() == concepts
    assert m.ArticleConcept.objects.filter(article_id=420638, role="disease").exists()


def test_named_pmids_and_one_not_stored():
    ingest_files([LABELLED])

    out, err = run("--pmid", "427390", "--pmid", "1")

    assert out.startswith("re-derived 1 articles (")
    assert out.endswith("1 case facts), failed 1")
    assert err == "PMID 1: not stored"
