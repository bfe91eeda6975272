"""Searching from the article list: /?term=... as on PubMed, with every other filter."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from articles.browse.sorting import SORTS
from articles.ingest.files import ingest_files
from articles.models import Article, Curation
from articles.search.filtering import search
from tests.search_index import empty_search_index
from tests.test_views_list import LIST_QUERIES, shown_option

FIXTURES = Path(__file__).parent / "fixtures"
LIST_URL = reverse("articles:list")

# The list page's queries (count, page, facets, chart...) plus the snippets of the page's
# abstracts. Sorted by relevance, one query ranks the hits once for the count, the facets'
# sample and the page's PMIDs, as the newest-first list does by date; one more finds the
# 10,001st most recently added hit on SQLite, the bound of the ranking, or asks PostgreSQL's
# planner whether there are that many (search.first.best_first_pks). Two more look the words up
# among MeSH names and entry terms (term mapping, search.mapping; a third reads the tree
# branches when some phrase names a descriptor).
SEARCH_QUERIES = LIST_QUERIES + 4

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def records(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        empty_search_index()  # what modules before this one left
        stats = ingest_files(
            [FIXTURES / "hawc_259_records.xml.gz", FIXTURES / "pubmed21n1298_excerpt_34.xml.gz"]
        )
        assert stats.failed == 0, stats.problems
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        empty_search_index()


def pmids_on(response) -> list[int]:
    return [article.pmid for article in response.context["article_list"]]


def test_term_searches_the_list(client, records):
    response = client.get(LIST_URL, {"term": "micronucleus"})

    assert response.status_code == 200
    assert pmids_on(response) == [39180124, 12209168]  # the list's date order
    assert "2 articles" in response.content.decode()


@pytest.fixture
def staff_client(client, records):
    user = get_user_model().objects.create_user("cora", password="pw", is_staff=True)
    client.force_login(user)
    return client


def test_a_curator_searches_and_the_status_facet_counts_the_matches(staff_client):
    Curation.objects.create(article_id=12209168, status=Curation.Status.INCLUDED)

    response = staff_client.get(LIST_URL, {"term": "micronucleus"})

    assert response.status_code == 200
    assert pmids_on(response) == [39180124, 12209168]
    assert [(link.label, link.count) for link in response.context["status_links"]] == [
        ("Unreviewed", 1),
        ("Included", 1),
        ("Maybe", 0),
        ("Excluded", 0),
    ]


def test_a_curator_combines_a_search_with_the_status_and_other_filters(staff_client):
    Curation.objects.create(article_id=12209168, status=Curation.Status.EXCLUDED)

    def found(**params: str) -> list[int]:
        response = staff_client.get(LIST_URL, {"term": "micronucleus", **params})
        assert response.status_code == 200
        return pmids_on(response)

    assert found(status="excluded") == [12209168]  # curators see excluded articles
    assert found(status="unreviewed") == [39180124]
    assert found(status="unreviewed", year_from="2020", sort="pubdate") == [39180124]
    assert found(status="excluded", journal="Genes Environ") == []
    assert found(status="included") == []


def test_the_sort_box_says_best_match_when_the_list_is_by_best_match(client, records):
    best = client.get(LIST_URL, {"term": "phthalate"})
    by_date = client.get(LIST_URL, {"term": "phthalate", "sort": "pubdate"})

    ranked = search(Article.objects.public(), "phthalate").queryset.order_by(
        *SORTS["relevance"].keys
    )
    assert pmids_on(best) == list(ranked.values_list("pmid", flat=True)[:20])
    assert shown_option(best, "sort") == ("", "Best match")
    assert shown_option(by_date, "sort") == ("pubdate", "Publication date")
    assert pmids_on(by_date) != pmids_on(best)
    # Best match asked for by name is the default: the form sends nothing for it.
    assert shown_option(client.get(LIST_URL, {"term": "x", "sort": "relevance"}), "sort") == (
        "",
        "Best match",
    )


def test_a_pmid_as_term_finds_the_article(client, records):
    response = client.get(LIST_URL, {"term": "39180124"})

    assert pmids_on(response) == [39180124]
    assert '<p class="search-note" role="status">Read as a PMID.</p>' in response.content.decode()


def test_term_combines_with_the_other_filters(client, records):
    assert pmids_on(client.get(LIST_URL, {"term": "micronucleus", "year_from": 2020})) == [39180124]
    assert pmids_on(client.get(LIST_URL, {"term": "phthalate", "journal": "Genes Environ"})) == [
        39180124
    ]
    assert pmids_on(client.get(LIST_URL, {"term": "rats[tiab] AND 2024[dp]"})) == [
        39180124,
        38056127,
    ]
    assert pmids_on(client.get(LIST_URL, {"term": "rats", "year_from": 2024})) == [
        39180124,
        38056127,
    ]


def test_the_page_marks_the_query_words_in_a_snippet(client, records):
    html = client.get(LIST_URL, {"term": "micronucleus"}).content.decode()

    assert html.count('<p class="result__snippet">') == 2
    assert "<mark>micronucleus</mark>" in html


def test_the_search_box_keeps_the_query(client, records):
    html = client.get(LIST_URL, {"term": 'rats[tiab] "liver"'}).content.decode()

    assert 'name="term" value="rats[tiab] &quot;liver&quot;"' in html


def test_bad_syntax_is_searched_and_explained_never_a_500(client, records):
    response = client.get(LIST_URL, {"term": '((micronucleus OR "liver micronucleus'})

    assert response.status_code == 200
    assert pmids_on(response) == [39180124, 12209168]
    assert "Closed an unbalanced quote at the end of the query." in response.content.decode()


def test_a_text_term_with_a_tag_that_matches_nothing_lists_nothing_by_best_match(client, records):
    response = client.get(LIST_URL, {"term": "micronucleus AND nosuchtype[pt]"})

    assert response.status_code == 200
    assert pmids_on(response) == []
    assert "No publication type &#x27;nosuchtype&#x27; is stored." in response.content.decode()


def test_the_note_is_escaped(client, records):
    response = client.get(LIST_URL, {"term": "<>&"})

    assert response.status_code == 200
    assert pmids_on(response) == []
    assert "Ignored &#x27;&lt;&gt;&amp;&#x27;: no letters or digits" in response.content.decode()


def test_a_search_page_takes_a_fixed_number_of_queries(client, records, django_assert_num_queries):
    with django_assert_num_queries(SEARCH_QUERIES):
        response = client.get(LIST_URL, {"term": "phthalate", "per_page": 50})

    assert len(pmids_on(response)) == 50


def test_by_best_match_the_facets_count_every_match_not_the_best_only(client, records, monkeypatch):
    monkeypatch.setattr("articles.browse.facets.SAMPLE", 5)

    response = client.get(LIST_URL, {"term": "phthalate", "per_page": 10})

    listing = response.context["listing"]
    ranked = list(
        search(Article.objects.public(), "phthalate")
        .queryset.order_by(*SORTS["relevance"].keys)
        .values_list("pmid", flat=True)
    )
    assert listing.facets.total == len(ranked) == 246
    assert listing.facets.first_pks == ranked
    assert pmids_on(response) == ranked[:10]
    # The year chart counts all 246; the other facets a sample of them, whatever their rank.
    assert sum(listing.facets.years.values()) == 246
    assert listing.facets.counted == 5
    html = response.content.decode()
    assert "Counts beside each filter are estimates from a random sample of 5 of the 246" in html


def test_a_search_counts_the_same_whichever_way_it_is_sorted(client, records, monkeypatch):
    monkeypatch.setattr("articles.browse.facets.SAMPLE", 5)

    by_date = client.get(LIST_URL, {"term": "phthalate", "sort": "pubdate"})
    by_rank = client.get(LIST_URL, {"term": "phthalate"})

    newest = list(
        search(Article.objects.public(), "phthalate")
        .queryset.order_by("-pub_date", "-pmid")
        .values_list("pmid", flat=True)
    )
    assert by_date.context["listing"].facets.first_pks == newest
    counts = [
        {name: [(link.label, link.count) for link in links] for name, _h, links in groups}
        for groups in (r.context["listing"].facet_groups for r in (by_date, by_rank))
    ]
    assert counts[0] == counts[1]
    assert by_date.context["listing"].facets.years == by_rank.context["listing"].facets.years


def test_rank_is_there_for_the_relevance_sort(client, records):
    response = client.get(LIST_URL, {"term": "micronucleus"})

    ranked = sorted(response.context["article_list"], key=lambda a: -a.search_rank)
    assert [a.pmid for a in ranked] == [39180124, 12209168]


def test_list_export_honours_the_term(client, records):
    response = client.get(reverse("articles:list_export", args=["csv"]), {"term": "micronucleus"})

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.count("\n") == 3  # header + two articles
    assert "39180124" in body and "12209168" in body


def test_past_the_cap_best_match_ranks_the_newest_matches(client, records, monkeypatch):
    monkeypatch.setattr("articles.browse.facets.CAP", 4)
    # PostgreSQL bounds the ranking when its planner expects more matches than that; here
    # it expects one or two (estimated_rows has its own test).
    monkeypatch.setattr("articles.search.first.estimated_rows", lambda queryset: 1000)

    response = client.get(LIST_URL, {"term": "phthalate"})

    hits = search(Article.objects.public(), "phthalate").queryset
    pmids = list(hits.values_list("pmid", flat=True))
    newest = sorted(pmids, reverse=True)[:5]
    ranked = list(
        hits.filter(pmid__in=newest)
        .order_by(*SORTS["relevance"].keys)
        .values_list("pmid", flat=True)
    )
    listing = response.context["listing"]
    assert len(pmids) > 5
    assert listing.facets.bounded
    assert listing.facets.first_pks == ranked
    assert pmids_on(response) == ranked  # the page reuses them (browse.CAP stays 10,000)
    assert "Best match ranks the 10,000 matches most recently added" in response.content.decode()


def test_within_the_cap_best_match_ranks_every_match(client, records):
    response = client.get(LIST_URL, {"term": "phthalate"})

    assert not response.context["listing"].facets.bounded
    assert "most recently added" not in response.content.decode()


def test_a_truncation_past_600_variants_is_limited_and_the_page_says_so(client, records):
    response = client.get(LIST_URL, {"term": "s*"})

    assert response.status_code == 200
    assert (
        '<p class="search-note" role="status">s* was limited to its first 600 variants (s to '
        "strategy), as PubMed limits it: lengthen the stem to search every word it begins.</p>"
    ) in response.content.decode()
