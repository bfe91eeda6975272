"""articles.ingest.derive and ``extract_facts``: re-derive concepts and case facts of stored
articles after the rules change."""

import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from articles import models as m
from articles.ingest.files import DERIVED_VERSION, ingest_files

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

    # Their concepts are those their text names (neither record has MeSH yet): among them
    # 34094610's "Surgical excision of the mass", a therapy.
    assert run() == ("re-derived 2 articles (9 concepts, 2 case facts), failed 0", "")

    facts = m.CaseFacts.objects.get(article_id=34093937)
    assert (facts.kind, facts.patient_count, facts.rules_version) == (
        "case_report",
        1,
        DERIVED_VERSION,
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


def test_it_says_which_articles_were_stored_without_their_xml(settings):
    settings.KEEP_SOURCE_XML = False
    ingest_files([LABELLED])

    out, err = run("--pmid", "427390")

    assert out == "re-derived 0 articles (0 concepts, 0 case facts), failed 1"
    assert err == (
        "PMID 427390: its XML was not kept (ingested with CASEBOOK_KEEP_SOURCE_XML=0); "
        "ingest its file again"
    )


SERIES_9 = Path(__file__).parent / "fixtures" / "pubmed21n1298_facts_9.xml.gz"


def test_it_rederives_the_rows_of_the_previous_rules_after_the_bump():
    ingest_files([SERIES_9])
    # The rows the facts-1 rules wrote: "We report 8 cases" (a Journal Article) was "other",
    # the nursing audit a series of 254, one case with a review of 6 a series of 6.
    m.CaseFacts.objects.update(rules_version="facts-1+mesh-2024")
    m.CaseFacts.objects.filter(article_id=33839063).update(kind="other", patient_count=None)
    m.CaseFacts.objects.filter(article_id=34088653).update(kind="case_series", patient_count=254)
    m.CaseFacts.objects.filter(article_id=34095477).update(kind="case_series", patient_count=6)

    out, err = run()

    assert out.startswith("re-derived 9 articles (")
    assert out.endswith(" 9 case facts), failed 0")
    assert err == ""
    rows = {
        f.article_id: (f.kind, f.patient_count, f.reviewed_count, f.rules_version)
        for f in m.CaseFacts.objects.filter(article_id__in=[33839063, 34088653, 34095477])
    }
    assert rows == {
        33839063: ("case_series", 8, None, DERIVED_VERSION),
        34088653: ("other", None, None, DERIVED_VERSION),
        34095477: ("case_report", 1, 6, DERIVED_VERSION),
    }
    assert DERIVED_VERSION != "facts-1+mesh-2024"


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_it_shows_a_progress_bar_on_a_terminal_and_keeps_its_summary_line(monkeypatch):
    ingest_files([SERIES_9])
    m.CaseFacts.objects.update(rules_version="facts-1+mesh-2024")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    out, err = run()

    assert out.startswith("re-derived 9 articles (")
    assert err == ""
    assert "9/9" in terminal.getvalue()
    assert " articles" in terminal.getvalue()


def test_it_draws_no_progress_bar_in_a_pipe(capsys):
    ingest_files([SERIES_9])
    m.CaseFacts.objects.update(rules_version="facts-1+mesh-2024")

    out, err = run()

    assert out.startswith("re-derived 9 articles (")
    assert capsys.readouterr().err == ""
