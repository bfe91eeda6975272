"""The admin: every model browsable, source rows read-only, curation editable."""

from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.ingest import ingest_files, ingest_records
from articles.mesh import load_mesh
from articles.models import Article, Curation, IngestRun
from articles.pubmed import records as r

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLE_MODELS = list(apps.get_app_config("articles").get_models())


def ingest(*names: str) -> None:
    stats = ingest_files([FIXTURES / name for name in names])
    assert stats.failed == 0, stats.problems


def changelist_url(model) -> str:
    return reverse(f"admin:articles_{model._meta.model_name}_changelist")


@pytest.fixture
def records():
    # Small files that still give every table rows (the excerpt also withdraws 20 PMIDs).
    ingest(
        "hawc_structured_abstract_21813367.xml",
        "pubmed21n1298_excerpt_34.xml.gz",
        "pubmed20n0014_excerpt_23.xml.gz",
    )
    load_mesh(FIXTURES / "mesh_descriptors_lung_4.tsv")  # MeSH tree numbers and entry terms
    Curation.objects.create(article_id=21813367, status=Curation.Status.INCLUDED)
    IngestRun.objects.create(
        source=IngestRun.Source.PMIDS,
        requested_pmids=[21813367, 29186030],
        pmids=[29186030],
        to_fetch=1,
        position=1,
        created=1,
        status=IngestRun.Status.COMPLETED,
    )


def test_it_registers_every_model():
    assert ARTICLE_MODELS
    assert [m for m in ARTICLE_MODELS if not admin.site.is_registered(m)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", ARTICLE_MODELS, ids=lambda m: m.__name__)
def test_it_shows_every_changelist_in_bounded_queries(
    admin_client, records, model, django_assert_max_num_queries
):
    # Session, user, the page, a count and list-filter look-ups: never one query per row.
    with django_assert_max_num_queries(12):
        response = admin_client.get(changelist_url(model))

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) > 0


@pytest.mark.django_db
def test_it_searches_every_changelist_without_error(admin_client, records):
    for model in ARTICLE_MODELS:
        for term in ("21813367", "blood", "not a pmid"):
            response = admin_client.get(changelist_url(model), {"q": term})
            assert response.status_code == 200, (model, term)


@pytest.mark.django_db
def test_it_finds_an_article_by_pmid(admin_client, records):
    response = admin_client.get(changelist_url(Article), {"q": "21813367"})

    assert [a.pmid for a in response.context["cl"].result_list] == [21813367]


@pytest.mark.django_db
def test_it_filters_withdrawn_articles(admin_client, records):
    ingest_records([r.Deletion(pmids=(21813367,))], source="pubmed26n0001.xml.gz")

    response = admin_client.get(changelist_url(Article), {"withdrawn": "yes"})

    assert [a.pmid for a in response.context["cl"].result_list] == [21813367]


@pytest.mark.django_db
def test_it_shows_an_article_with_its_source_xml_and_children(admin_client, records):
    response = admin_client.get(reverse("admin:articles_article_change", args=[21813367]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;PMID Version=&quot;1&quot;&gt;21813367&lt;/PMID&gt;" in html
    assert "Hyeong-Moo" in html  # the authors inline
    assert "BACKGROUND" in html  # the abstract sections inline
    assert "D002244" in html or "Caprylates" in html  # the MeSH inline
    assert '<a href="/21813367/">/21813367/</a>' in html


@pytest.mark.django_db
def test_it_keeps_source_fields_read_only(admin_client, records):
    response = admin_client.get(reverse("admin:articles_article_change", args=[21813367]))

    form = response.context["adminform"].form
    assert "title" not in form.fields
    assert "journal" not in form.fields
    assert admin_client.get(reverse("admin:articles_article_add")).status_code == 403
    journal_id = Article.objects.get(pmid=21813367).journal_id
    assert (
        admin_client.get(reverse("admin:articles_journal_change", args=[journal_id])).status_code
        == 200
    )


@pytest.mark.django_db
def test_it_saves_curation_from_the_article_page(admin_client, records):
    url = reverse("admin:articles_article_change", args=[21813367])
    data = {
        "curation-TOTAL_FORMS": "1",
        "curation-INITIAL_FORMS": "1",
        "curation-MIN_NUM_FORMS": "0",
        "curation-MAX_NUM_FORMS": "1",
        "curation-0-article": "21813367",
        "curation-0-status": "excluded",
        "curation-0-notes": "Not a case series.",
        "_continue": "Save",
    }
    for prefix in ("authors", "abstract_sections", "mesh_headings", "ids"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    curation = Curation.objects.get(article_id=21813367)
    assert curation.status == Curation.Status.EXCLUDED
    assert curation.notes == "Not a case series."
    assert Article.objects.get(pmid=21813367).title.startswith("Retrospective exposure")


@pytest.mark.django_db
def test_it_keeps_the_article_changelist_query_bounded(admin_client, django_assert_max_num_queries):
    ingest("hawc_structured_abstract_21813367.xml")
    admin_client.get(changelist_url(Article))  # warm the session and content types

    with CaptureQueriesContext(connection) as one_article:
        admin_client.get(changelist_url(Article))
    ingest("hawc_259_records.xml.gz", "pubmed21n1298_excerpt_34.xml.gz")

    with django_assert_max_num_queries(len(one_article)):
        response = admin_client.get(changelist_url(Article))

    assert len(response.context["cl"].result_list) == 100
