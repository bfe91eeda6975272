"""The list page's facets, year chart, empty-list help, views and typeahead, on 52 real
1977-79 records (tests/fixtures/README.md)."""

import datetime
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from articles.ingest.files import ingest_files
from articles.models import Article, Curation
from articles.text.mesh import load_mesh
from tests.test_views_list import LIST_QUERIES

FIXTURES = Path(__file__).parent / "fixtures"
LIST_URL = reverse("articles:list")
# As tests/test_views_list.py LIST_QUERIES, plus the disease look-up: the descriptor, then
# the descriptors below it in the tree.
DISEASE_QUERIES = LIST_QUERIES + 2


@pytest.fixture
def records(db):
    stats = ingest_files([FIXTURES / "pubmed20n0014_browse_52.xml.gz"])
    assert stats.failed == 0, stats.problems
    load_mesh(FIXTURES / "mesh_2024_browse_excerpt.tsv.gz")


def add_filler(count: int, *, year: int = 2020, first_pmid: int = 30_000_001) -> None:
    """``count`` bare articles of ``year`` (no authors, MeSH, abstract or case facts) with
    consecutive PMIDs: the thousands of newer records a collection holds beside old ones."""
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            pmid=first_pmid + n,
            title=f"Filler {n}",
            pub_year=year,
            pub_date=datetime.date(year, 1, 1),
            languages=["eng"],
            source_hash="",
            first_ingested_at=now,
            last_changed_at=now,
        )
        for n in range(count)
    )


def facet(response, name: str) -> dict[str, int]:
    return {link.label: link.count for link in response.context["listing"].facets_by_name[name]}


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_it_counts_diseases_and_therapies_of_the_results(client, records):
    response = client.get(LIST_URL, {"disease": "Lung Diseases"})

    assert response.context["listing"].facets.total == 46
    diseases = facet(response, "disease")
    assert diseases["Asthma"] == 7
    assert diseases["Pneumonia"] == 5
    assert facet(response, "therapy")["Cromolyn Sodium"] == 5
    assert "46 articles, showing 1–20" in text(response)


def test_a_therapy_narrows_the_counts(client, records):
    response = client.get(LIST_URL, {"disease": "Asthma", "therapy": "Cromolyn Sodium"})

    assert response.context["listing"].facets.total == 5
    assert facet(response, "disease")["Asthma"] == 5
    assert facet(response, "publication_type") == {
        "Case Reports": 4,
        "Journal Article": 5,
        "English Abstract": 1,
    }
    # Newest first.
    assert [a.pmid for a in response.context["article_list"]] == [
        411399,
        411403,
        412160,
        406740,
        403383,
    ]


def test_case_reports_come_first_among_publication_types(client, records):
    response = client.get(LIST_URL)

    assert list(facet(response, "publication_type"))[0] == "Case Reports"
    assert facet(response, "publication_type")["Case Reports"] == 40


def test_a_facet_link_adds_its_filter_and_the_chosen_one_removes_it(client, records):
    response = client.get(LIST_URL, {"disease": "Asthma", "page": 1})
    links = {link.label: link for link in response.context["listing"].facets_by_name["disease"]}

    assert links["Asthma"].active
    assert links["Asthma"].url == "?"
    assert (
        "therapy=Cromolyn+Sodium"
        in {link.label: link for link in response.context["listing"].facets_by_name["therapy"]}[
            "Cromolyn Sodium"
        ].url
    )
    assert "Disease: <strong>Asthma</strong>" in response.content.decode()


@pytest.mark.parametrize("per_page", [10, 50])
def test_the_disease_list_keeps_a_fixed_number_of_queries(
    client, records, per_page, django_assert_num_queries
):
    with django_assert_num_queries(DISEASE_QUERIES):
        response = client.get(LIST_URL, {"disease": "Lung Diseases", "per_page": per_page})

    assert len(response.context["article_list"]) == min(per_page, 46)


def test_the_year_chart_links_each_year(client, records):
    response = client.get(LIST_URL, {"disease": "Lung Diseases"})

    chart = response.context["listing"].chart
    # 1978 has none of these records: an empty slot, no link.
    assert {bar.year: bar.count for bar in chart.bars} == {1977: 38, 1978: 0, 1979: 8}
    html = response.content.decode()
    assert 'href="?disease=Lung+Diseases&amp;year_from=1979&amp;year_to=1979"' in html
    assert 'aria-label="1979: 8 articles"' in html
    assert "year_from=1978" not in html


def test_an_empty_list_names_the_filter_that_emptied_it(client, records):
    response = client.get(LIST_URL, {"disease": "Asthma", "language": "fre"})

    assert response.context["listing"].facets.total == 0
    page = text(response)
    assert "No articles match these filters" in page
    assert "The filter Language: fre emptied the list: without it, 7 articles match." in page
    assert 'href="?disease=Asthma">Remove “Language: fre”' in response.content.decode()


def test_an_unknown_disease_says_so(client, records):
    response = client.get(LIST_URL, {"disease": "Nonsense"})

    assert response.status_code == 200
    assert "MeSH has no term “Nonsense”." in response.content.decode()


@pytest.mark.parametrize("name", ["disease", "therapy", "mesh"])
@pytest.mark.parametrize("typed", ["%", "%s", "%(x)s", "{}", "Sjögren’s <ü>"])
def test_an_unknown_term_is_named_as_typed_whatever_its_characters(client, records, name, typed):
    response = client.get(LIST_URL, {name: typed})

    assert response.status_code == 200
    assert response.context["article_list"] == []
    assert f"MeSH has no term “{escape(typed)}”." in response.content.decode()


def test_the_abstract_view_shows_whole_abstracts(client, records):
    summary = client.get(LIST_URL, {"disease": "Asthma"})
    full = client.get(LIST_URL, {"disease": "Asthma", "format": "abstract"})

    assert 'class="result__snippet"' in summary.content.decode()
    assert 'class="result__abstract"' in full.content.decode()
    assert 'class="result__abstract"' not in summary.content.decode()


def test_the_typeahead_offers_names_and_synonyms(client, records):
    url = reverse("articles:concept_suggestions")

    by_name = client.get(url, {"role": "disease", "q": "asth"}).json()
    by_synonym = client.get(url, {"role": "therapy", "q": "sodium cromo"}).json()

    assert {"ui": "D001249", "name": "Asthma", "matched": ""} in by_name
    assert by_synonym == [
        {"ui": "D004205", "name": "Cromolyn Sodium", "matched": "Sodium Cromoglycate"}
    ]
    assert client.get(url, {"role": "disease", "q": "a"}).json() == []


def test_the_list_is_read_only_for_anonymous_users(client, records):
    assert client.post(LIST_URL, {"disease": "Asthma"}).status_code == 405


def test_past_two_thousand_matches_the_chart_counts_every_one_and_the_facets_a_fair_sample(
    client, records
):
    # The facets once counted the 2,000 newest matches: beside 2,000 articles of 2020 the 52
    # of 1977-79 had no bar in the chart and no disease among the facets.
    add_filler(2_000)

    response = client.get(LIST_URL)

    chart = response.context["listing"].chart
    assert {bar.year: bar.count for bar in chart.bars if bar.count} == {
        1977: 41,
        1978: 1,  # 409214
        1979: 10,
        2020: 2_000,
    }
    # The sample, 2,000 of the 2,052 chosen by PMID alone, holds the 52: each stands for
    # 2,052 / 2,000 articles. Asthma: 400601, 402871, 403383, 406740, 411399, 411403, 412160.
    assert facet(response, "disease")["Asthma"] == 7
    assert facet(response, "publication_type")["Case Reports"] == 41  # 40 in truth
    facets = response.context["listing"].facets
    assert (facets.total, facets.counted, facets.years_estimated) == (2_052, 2_000, False)
    page = text(response)
    assert "2,052 articles, showing 1–20" in page
    assert "estimates from a random sample of 2,000 of the 2,052 matches" in page
    assert "Asthma about 7" in page
    assert "Export all 2,052 results" in page


def test_past_the_sample_the_facets_are_estimates_and_say_so(client, records, monkeypatch):
    monkeypatch.setattr("articles.browse.facets.SAMPLE", 20)

    response = client.get(LIST_URL)

    facets = response.context["listing"].facets
    # The sample: the 20 of the 52 whose PMID modulo 1024 is under 341 (402432's is 0,
    # 403754's 298, the next, 406869's, 341), each standing for 52 / 20 articles.
    assert (facets.total, facets.counted, facets.estimated) == (52, 20, True)
    assert not facets.total_estimated
    assert facet(response, "publication_type")["Case Reports"] == 39  # 15 of 20; 40 in truth
    page = text(response)
    assert "52 articles, showing 1–20" in page
    assert "estimates from a random sample of 20 of the 52 matches" in page
    assert "Case Reports about 39" in page
    # The chart counts every match while they are at most 10,000.
    assert not facets.years_estimated
    assert facets.years == {1977: 41, 1978: 1, 1979: 10}
    assert "Export all 52 results" in page


def test_a_large_result_is_estimated_from_a_sample_of_the_whole_collection(
    client, records, monkeypatch
):
    # Past 10,000 matches the list holds only the first 10,001 PMIDs, so the sample comes
    # from the database: here half the buckets stand in for "past 30 matches, a sample of 10".
    monkeypatch.setattr("articles.browse.facets.CAP", 30)
    monkeypatch.setattr("articles.browse.facets.SAMPLE", 10)
    monkeypatch.setattr("articles.browse.facets.FIRST_BUCKETS", 512)

    response = client.get(LIST_URL)

    facets = response.context["listing"].facets
    assert facets.total_estimated and facets.years_estimated
    # Ten PMIDs modulo 1024 under 212 (402432's 0 to 401619's 211): 10 * 1024 / 212 = 48.
    assert (facets.total, facets.counted) == (48, 10)
    page = text(response)
    assert "About 48 articles" in page
    assert "estimates from a random sample of 10 of about 48 matches" in page
    assert "Export all results (about 48)" in page
    assert "Results by year (estimated from a random sample)" in page


def test_past_the_cap_a_sparse_result_is_read_whole_and_counted_exactly(
    client, records, monkeypatch
):
    # Past 30 matches, a sample of 10: the first 4 buckets hold none of the 52, so the 40 a
    # sample would need are more than the 8 read through the index, and every match is read.
    monkeypatch.setattr("articles.browse.facets.CAP", 30)
    monkeypatch.setattr("articles.browse.facets.SAMPLE", 10)
    monkeypatch.setattr("articles.browse.facets.INDEXED_BUCKETS", 8)

    response = client.get(LIST_URL)

    facets = response.context["listing"].facets
    assert (facets.total, facets.total_estimated, facets.estimated) == (52, False, True)
    assert (facets.years, facets.years_estimated) == ({1977: 41, 1978: 1, 1979: 10}, False)
    assert "Export all 52 results" in text(response)


def test_without_a_filter_the_count_is_of_what_an_anonymous_visitor_may_see(
    client, curator_client, records
):
    Curation.objects.create(article_id=411399, status=Curation.Status.EXCLUDED)  # Asthma
    emptied = {"disease": "Asthma", "language": "fre"}

    public = text(client.get(LIST_URL, emptied))
    staff = text(curator_client.get(LIST_URL, emptied))
    excluded = text(curator_client.get(LIST_URL, {**emptied, "status": "excluded"}))

    assert "The filter Language: fre emptied the list: without it, 6 articles match." in public
    assert "The filter Language: fre emptied the list: without it, 7 articles match." in staff
    # A curator's status filter stays when another is taken away: 411399 alone.
    assert "The filter Language: fre emptied the list: without it, 1 article match." in excluded


def test_past_ten_thousand_the_count_without_a_filter_says_more_than_ten_thousand(
    client, records, monkeypatch
):
    monkeypatch.setattr("articles.browse.listing.count_capped", lambda queryset: 10_001)

    page = text(client.get(LIST_URL, {"disease": "Asthma", "language": "fre"}))

    assert "without it, more than 10,000 articles match." in page
