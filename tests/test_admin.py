"""The admin: every model browsable, source rows read-only, curation editable."""

from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.alerts import searches
from articles.ingest.files import ingest_files, ingest_records
from articles.models import (
    Article,
    BlockedPMID,
    Correction,
    Curation,
    ExclusionReason,
    IngestRun,
    SavedFilter,
    Tag,
)
from articles.pubmed import records as r
from articles.text.mesh import load_mesh

FIXTURES = Path(__file__).parent / "fixtures"
# Audit-trail tables (django-simple-history) are browsed per article, not as lists; unmanaged
# models are not browsable tables (SearchDocument is the full-text index).
ARTICLE_MODELS = [
    m
    for m in apps.get_app_config("articles").get_models()
    if m._meta.managed and not m.__name__.startswith("Historical")
]


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
    Tag.objects.create(name="pediatric")
    ExclusionReason.objects.create(name="Not a case series")
    Correction.objects.create(article_id=21813367, field="title", corrected_value="A title")
    BlockedPMID.objects.create(pmid=21813367, reason="Duplicate record")
    user = get_user_model().objects.create_user("curator")
    SavedFilter.objects.create(user=user, name="Lung", query="journal=Lung")
    searches.save(user, "Lung", "journal=Lung")
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


def test_the_article_page_shows_every_field_once():
    shown = [
        name for _, group in admin.site._registry[Article].fieldsets for name in group["fields"]
    ]
    fields = [field.name for field in Article._meta.concrete_fields]

    assert sorted(name for name in shown if name in fields) == sorted(fields)
    assert [name for name in shown if name not in fields] == ["public_page", "source_xml_display"]


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


@pytest.mark.django_db
def test_the_article_list_shows_curation_status_tags_and_withdrawn_only_where_true(
    admin_client, records
):
    ingest_records([r.Deletion(pmids=(21813367,))], source="pubmed26n0001.xml.gz")
    curation = Curation.objects.get(article_id=21813367)
    curation.tags.add(Tag.objects.get(name="pediatric"), Tag.objects.create(name="adverse event"))
    Curation.objects.create(article_id=34093767, status=Curation.Status.MAYBE)

    response = admin_client.get(changelist_url(Article), {"q": "21813367"})
    other = admin_client.get(changelist_url(Article), {"q": "34093767"})

    html = response.content.decode()
    deleted_on = Article.objects.get(pk=21813367).deleted_at.date().isoformat()
    assert '<td class="field-curation_status">Included</td>' in html
    assert '<td class="field-tag_list">adverse event, pediatric</td>' in html
    assert f'<td class="field-withdrawn">withdrawn {deleted_on}</td>' in html
    html = other.content.decode()
    assert '<td class="field-curation_status">Maybe</td>' in html
    assert '<td class="field-tag_list">-</td>' in html
    assert '<td class="field-withdrawn">-</td>' in html
    assert "icon-no.svg" not in html


@pytest.mark.django_db
def test_the_article_list_reads_status_and_tags_in_a_fixed_number_of_queries(
    admin_client, django_assert_num_queries
):
    ingest("hawc_259_records.xml.gz")
    pediatric = Tag.objects.create(name="pediatric")
    pmids = [a.pmid for a in admin_client.get(changelist_url(Article)).context["cl"].result_list]
    Curation.objects.create(article_id=pmids[0], status=Curation.Status.INCLUDED).tags.add(
        pediatric
    )

    # Session, user, the count, the 100 rows with their journals and curations, the rows'
    # tags, the action bar's tags and exclusion reasons, the year filter's years.
    with django_assert_num_queries(8):
        admin_client.get(changelist_url(Article))
    for pmid in pmids[1:60]:
        Curation.objects.create(article_id=pmid, status=Curation.Status.INCLUDED).tags.add(
            pediatric
        )
    with django_assert_num_queries(8):
        tagged = admin_client.get(changelist_url(Article))

    assert tagged.content.decode().count('<td class="field-tag_list">pediatric</td>') == 60
    assert tagged.content.decode().count('<td class="field-curation_status">Included</td>') == 60
