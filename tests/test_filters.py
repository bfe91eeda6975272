"""ArticleFilter through ``.qs`` on 52 real 1977-79 records (tests/fixtures/README.md)."""

from pathlib import Path

import pytest
from django.http import QueryDict

from articles.browse.filters import ArticleFilter
from articles.ingest.files import ingest_files
from articles.models import Article
from articles.text.mesh import load_mesh

FIXTURES = Path(__file__).parent / "fixtures"
RECORDS = FIXTURES / "pubmed20n0014_browse_52.xml.gz"
MESH = FIXTURES / "mesh_2024_browse_excerpt.tsv.gz"

ASTHMA = [400601, 402871, 403383, 406740, 411399, 411403, 412160]
FUNGAL = [400278, 402844, 406869]  # Lung Diseases, Fungal


@pytest.fixture
def records(db):
    stats = ingest_files([RECORDS])
    assert stats.failed == 0, stats.problems
    load_mesh(MESH)


def pmids(query: str) -> list[int]:
    filterset = ArticleFilter(QueryDict(query), queryset=Article.objects.visible())
    assert filterset.is_valid(), filterset.form.errors
    return sorted(filterset.qs.values_list("pk", flat=True))


def test_it_finds_a_disease_by_name(records):
    assert pmids("disease=Asthma") == ASTHMA


def test_it_finds_a_disease_by_ui_or_in_any_case(records):
    assert pmids("disease=D001249") == ASTHMA
    assert pmids("disease=asthma") == ASTHMA


def test_a_broad_disease_takes_in_the_narrower_ones(records):
    broad = pmids("disease=Lung+Diseases")

    assert len(broad) == 46
    assert set(ASTHMA) <= set(broad)  # Asthma is C08.381.495.108
    assert set(FUNGAL) <= set(broad)
    assert 404444 in broad  # Pulmonary Fibrosis only
    assert pmids("disease=Lung+Diseases,+Fungal") == FUNGAL


def test_it_combines_a_disease_and_a_therapy(records):
    assert pmids("disease=Asthma&therapy=Cromolyn+Sodium") == [
        403383,
        406740,
        411399,
        411403,
        412160,
    ]


def test_a_therapy_is_found_by_a_synonym_or_the_start_of_its_name(records):
    expected = [403383, 406740, 411399, 411403, 412160]
    assert pmids("therapy=Sodium+Cromoglycate") == expected
    assert pmids("therapy=cromolyn") == expected


def test_a_role_is_kept_apart_from_the_other(records):
    # Asthma is a disease in seven records and a therapy in none.
    assert pmids("therapy=Asthma") == []
    assert pmids("therapy=Gold+Sodium+Thiomalate") == [404444, 411928]


def test_an_unknown_term_is_a_form_error_naming_it(records):
    filterset = ArticleFilter(QueryDict("disease=Nonsense"), queryset=Article.objects.visible())

    assert not filterset.is_valid()
    assert filterset.form.errors["disease"] == ["MeSH has no term “Nonsense”."]


@pytest.mark.parametrize("name", ["disease", "therapy", "mesh"])
@pytest.mark.parametrize("typed", ["%", "%s", "%(x)s", "{}", "{0}", "Sjögren’s ü"])
def test_an_unknown_term_is_named_as_typed_whatever_its_characters(records, name, typed):
    filterset = ArticleFilter({name: typed}, queryset=Article.objects.visible())

    assert not filterset.is_valid()
    assert filterset.form.errors[name] == [f"MeSH has no term “{typed}”."]
    assert filterset.errors.as_data()[name][0].params == {"text": typed}


def test_it_filters_by_language(records):
    assert pmids("language=fre") == [400293, 400598, 402102, 403895]
    assert pmids("language=eng&disease=Pneumonia") == [401575, 402096, 403613, 409280]


def test_it_combines_publication_type_and_disease(records):
    assert pmids("publication_type=D002363&disease=Asthma") == [403383, 406740, 411399, 412160]


def test_it_filters_retracted_and_abstract(records):
    assert pmids("retracted=true") == []
    assert len(pmids("retracted=false")) == 52
    assert len(pmids("has_abstract=true&disease=Lung+Diseases")) == 28


def test_a_year_range_holds_the_articles_published_in_those_years(records):
    def published_in(*years: int) -> list[int]:
        return sorted(Article.objects.filter(pub_year__in=years).values_list("pk", flat=True))

    assert pmids("year_from=1978&year_to=1978") == published_in(1978)
    assert pmids("year_from=1978") == published_in(1978, 1979)
    assert pmids("year_to=1978") == published_in(1977, 1978)
    assert len(published_in(1977)) and len(published_in(1978)) and len(published_in(1979))


def test_a_year_past_what_a_date_holds_is_the_nearest_that_does(records):
    assert len(pmids("year_from=-5&year_to=99999")) == 52
    assert pmids("year_from=99999") == []
    assert pmids("year_to=0") == []


def test_an_unknown_sort_or_order_gives_the_default_order(records):
    def order(query: str) -> list[int]:
        filterset = ArticleFilter(QueryDict(query), queryset=Article.objects.visible())
        assert filterset.is_valid(), filterset.form.errors
        return list(filterset.qs.values_list("pk", flat=True))

    newest = order("disease=Asthma")

    assert newest == [400601, 411399, 411403, 412160, 406740, 403383, 402871]
    assert order("disease=Asthma&sort=bogus") == newest
    assert order("disease=Asthma&sort_order=up") == newest
    assert order("disease=Asthma&sort=&sort_order=") == newest
    assert order("disease=Asthma&sort=pubdate&sort_order=nonsense") == newest


def test_it_sorts_as_pubmed_does(records):
    def order(query: str) -> list[int]:
        filterset = ArticleFilter(QueryDict(query), queryset=Article.objects.visible())
        assert filterset.is_valid()
        return list(filterset.qs.values_list("pk", flat=True))

    newest = order("disease=Asthma")
    oldest = order("disease=Asthma&sort=pubdate&sort_order=asc")
    assert oldest == newest[::-1]
    # Without a search, "relevance" falls back on the date.
    assert order("disease=Asthma&sort=relevance") == newest
    journals = [
        Article.objects.get(pk=pk).journal.medline_ta
        for pk in order("disease=Asthma&sort=jour&sort_order=asc")
    ]
    assert journals == sorted(journals)
    first = [
        Article.objects.get(pk=pk).authors.order_by("position").first().last_name
        for pk in order("disease=Asthma&sort=fauth&sort_order=asc")
    ]
    assert first == sorted(first)


def test_it_tells_the_search_what_the_other_filters_leave(records):
    searched = ArticleFilter(QueryDict("term=cromolyn"), queryset=Article.objects.visible())
    narrowed = ArticleFilter(
        QueryDict("term=cromolyn&disease=Asthma&has_abstract=true"),
        queryset=Article.objects.visible(),
    )
    assert searched.is_valid() and narrowed.is_valid()

    hits = sorted(searched.qs.values_list("pk", flat=True))
    narrowed_hits = sorted(narrowed.qs.values_list("pk", flat=True))

    # No other filter: the search is told so, and runs over the reader's scope.
    assert searched.search_plan.parsed.text == "cromolyn"
    assert searched.filtered is None
    assert hits == [403383, 406740, 411399, 411403, 412160]
    # With filters, the articles they leave before the search: asthma with an abstract.
    assert sorted(narrowed.filtered.values_list("pk", flat=True)) == [402871, 411399]
    assert narrowed_hits == [411399]
