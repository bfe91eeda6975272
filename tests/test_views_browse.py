"""The list page's facets, year chart, empty-list help, views and typeahead, on 52 real
1977-79 records (tests/fixtures/README.md)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from articles.ingest import ingest_files
from articles.mesh import load_mesh
from articles.models import Curation
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
    monkeypatch.setattr("articles.browse.count_capped", lambda queryset: 10_001)

    page = text(client.get(LIST_URL, {"disease": "Asthma", "language": "fre"}))

    assert "without it, more than 10,000 articles match." in page
