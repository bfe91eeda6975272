"""The case-facts panel of the article page: summary, evidence marked in the text, the
article's diseases and therapies; nothing from the data can inject markup."""

import dataclasses
import re
from pathlib import Path

import pytest

from articles import models as m
from articles.curation import actions as curation
from articles.ingest.files import ingest_files, ingest_records
from articles.pubmed.parser import parse
from articles.text.mesh import load_mesh

LABELLED = Path(__file__).parent / "fixtures" / "facts_labels_110.xml.gz"

pytestmark = pytest.mark.django_db


def panel(client, pmid: int) -> str:
    response = client.get(f"/{pmid}/")
    assert response.status_code == 200
    html = response.content.decode()
    found = re.search(r'<section id="case-facts".*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_it_summarises_a_series_and_marks_its_evidence(client):
    ingest_files([LABELLED])

    html = panel(client, 34095484)

    assert "Case series, n = 4 (3 men, 1 woman), ages 28-60 years — <em>suggested</em>" in html
    assert "We report a case series of <mark>4 patients</mark> with type 1 diabetes" in html
    # Evidence lines, then the marked title and abstract: the facts' spans and the concepts'.
    assert html.count("<mark>") == 9 + 23
    assert "The first case was a <mark>30-year-old</mark> <mark>man</mark> admitted" in html


def test_a_curators_correction_replaces_the_suggestion(client):
    ingest_files([LABELLED])
    curation.correct(34095484, "facts:patient_count", "5", user=None)

    html = panel(client, 34095484)

    assert "Case series, n = 5 (3 men, 1 woman), ages 28-60 years — <em>corrected</em>" in html
    assert "corrected by a curator" in html
    assert "suggested" not in html


def concept_lines(html: str, role: str) -> list[str]:
    """ "name (source)" of each concept the panel lists under ``role``."""
    block = html.split(f"<dt>{role}</dt>", 1)[1].split("</dd>", 1)[0]
    names = re.findall(r'case-facts__concept">([^<]*)</span>', block)
    sources = re.findall(r'case-facts__source">([^<]*)</span>', block)
    return [f"{name} ({source})" for name, source in zip(names, sources, strict=True)]


def test_a_single_case_shows_age_and_sex_and_where_each_concept_came_from(client):
    ingest_files([LABELLED])
    load_mesh()  # names of the concepts only the text gives

    html = panel(client, 419380)

    assert "Case report, n = 1 (1 man), age 64 years" in html
    assert "in <mark>an adult male</mark>." in html  # the title's evidence
    assert concept_lines(html, "Diseases") == [
        "Urinary Bladder Neoplasms (MeSH)",
        "Carcinosarcoma (MeSH)",
        "Rhabdomyosarcoma (MeSH)",
    ]
    # "Total cystectomy with bilateral ureteroileostomy was performed": MeSH indexed the
    # diversion; the text also names the cystectomy and the operation.
    assert concept_lines(html, "Therapies") == [
        "Surgical Procedures, Operative (text)",
        "Urinary Diversion (MeSH)",
        "Cystectomy (text)",
    ]
    assert "Total <mark>cystectomy</mark> with bilateral ureteroileostomy" in html


def test_a_study_has_no_facts_summary(client):
    ingest_files([LABELLED])

    html = panel(client, 33792128)  # Phase II study

    assert "Case report" not in html and "Case series" not in html


def test_text_from_the_record_is_escaped(client):
    article = next(a for a in parse(LABELLED) if a.pmid == 34093937)
    hostile = dataclasses.replace(
        article,
        title='<script>alert("x")</script> Two <b>cases</b>',
        abstract=tuple(
            dataclasses.replace(
                s, text=s.text.replace("a 70-year-old man", "a 70-year-old <i>man</i>")
            )
            for s in article.abstract
        ),
    )
    ingest_records([hostile])
    assert m.CaseFacts.objects.get(article_id=34093937).patient_count == 1

    html = panel(client, 34093937)

    assert "<script>" not in html and "<b>" not in html and "<i>man" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<mark>70-year-old</mark> &lt;i&gt;man&lt;/i&gt;" in html


def test_evidence_that_no_longer_matches_the_text_is_not_marked(client):
    ingest_files([LABELLED])
    facts = m.CaseFacts.objects.get(article_id=34095484)
    facts.evidence = [{**facts.evidence[0], "start": 0}] + facts.evidence[1:]
    facts.save()

    html = panel(client, 34095484)

    assert "<mark>4 patients</mark>" not in html
    assert "<mark>30-year-old</mark> <mark>man</mark>" in html
