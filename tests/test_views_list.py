"""The article list at /: real PubMed records in, what a reader sees out."""

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.http import QueryDict
from django.urls import reverse

from articles.browse.filters import ArticleFilter
from articles.curation import actions as curation
from articles.ingest.files import ingest_files, ingest_records
from articles.models import Article
from articles.pubmed import records as r

FIXTURES = Path(__file__).parent / "fixtures"
LIST_URL = reverse("articles:list")

# Facets (articles.browse.facets): the first 10,001 PMIDs newest first (count and counted sample),
# concepts and their names, publication types and their names, article columns with their
# case facts, journal names = 7. Page (its PMIDs come from the facets' list in the default
# order): its rows, first authors, abstracts, curators' text corrections, publication-type
# choices of the form = 5. Choosing a publication type adds one: the form checks the chosen
# type exists.
LIST_QUERIES = 12


def ingest(*names: str) -> None:
    stats = ingest_files([FIXTURES / name for name in names])
    assert stats.failed == 0, stats.problems


def pmids_on(response) -> list[int]:
    return [article.pmid for article in response.context["article_list"]]


def row_of(response, pmid: int) -> str:
    """The rendered <li> of one article on a list page."""
    html = response.content.decode()
    match = re.search(
        rf'<li class="result">(?:(?!</li>).)*?href="/{pmid}/".*?</li>', html, flags=re.S
    )
    assert match, f"PMID {pmid} is not on the page"
    return re.sub(r"\s+", " ", match.group(0))


def shown_option(response, name: str) -> tuple[str, str]:
    """(value, label) of the option a browser shows in the select ``name``: the selected one,
    else the first."""
    select = re.search(
        rf'<select name="{name}"[^>]*>(.*?)</select>', response.content.decode(), flags=re.S
    )
    assert select, f"no select {name!r} on the page"
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select[1])
    chosen = [(value, label) for value, selected, label in options if selected]
    assert len(chosen) <= 1, chosen
    return chosen[0] if chosen else (options[0][0], options[0][2])


@pytest.fixture
def hawc_259():
    ingest("hawc_259_records.xml.gz")


@pytest.mark.django_db
def test_it_lists_newest_first_twenty_per_page(client, hawc_259):
    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert pmids_on(response)[:4] == [39180124, 38833407, 38430581, 38056127]
    assert len(pmids_on(response)) == 20
    dates = [article.pub_date for article in response.context["article_list"]]
    assert dates == sorted(dates, reverse=True)
    assert "259 articles, showing 1–20" in response.content.decode()


@pytest.mark.django_db
def test_it_shows_a_row_the_way_pubmed_cites_it(client, hawc_259):
    row = row_of(client.get(LIST_URL), 39180124)

    assert (
        "Confirmation of Di(2-ethylhexyl) phthalate-induced micronuclei by repeated dose liver "
        "micronucleus assay: focus on evaluation of liver micronucleus assay in young rats."
    ) in row
    assert '<p class="result__authors">Shigano M, Takashima R, Satomoto K, et al.</p>' in row
    assert '<p class="result__source">Genes Environ. 2024 Aug 23;46(1):17.</p>' in row
    assert "<span>2024</span>" in row
    assert "<span>PMID: 39180124</span>" in row


@pytest.mark.django_db
def test_a_row_shows_what_curators_corrected_not_pubmeds_text(client, hawc_259):
    curator = User.objects.create_user("cora", is_staff=True)
    for key, value in [
        ("title", "Micronuclei in young rat liver after DEHP."),
        ("author:0:name", "Shigano Masami"),
        ("pub_date", "2024 Aug 24"),
        ("abstract:0", "Corrected background."),
    ]:
        curation.correct(39180124, key, value, user=curator)

    row = row_of(client.get(LIST_URL), 39180124)
    abstract_row = row_of(client.get(LIST_URL, {"format": "abstract"}), 39180124)

    assert "Micronuclei in young rat liver after DEHP." in row
    assert "Confirmation of Di(2-ethylhexyl)" not in row
    assert '<p class="result__authors">Shigano Masami, Takashima R, Satomoto K, et al.</p>' in row
    assert '<p class="result__source">Genes Environ. 2024 Aug 24;46(1):17.</p>' in row
    assert "Corrected background." in abstract_row


@pytest.mark.django_db
def test_it_names_every_author_of_a_short_list_without_et_al(client):
    ingest("hawc_structured_abstract_21813367.xml", "hawc_abstract_markup_29186030.xml")

    response = client.get(LIST_URL)

    assert "Elzaki MEA, Miah MA, Han Z.</p>" in row_of(response, 29186030)
    assert "Shin HM, Vieira VM, Ryan PB, et al.</p>" in row_of(response, 21813367)
    assert (
        '<p class="result__source">Environ Health Perspect. 2011 Dec;119(12):1760-5.</p>'
        in row_of(response, 21813367)
    )


@pytest.mark.django_db
def test_it_cites_the_electronic_location_when_an_article_has_no_pages(client):
    ingest("hawc_abstract_markup_29186030.xml")

    row = row_of(client.get(LIST_URL), 29186030)

    assert '<p class="result__source">Int J Mol Sci. 2017 Nov 29;18(12):2564.</p>' in row


@pytest.mark.django_db
def test_it_shortens_a_thousand_author_list_to_three(client, hawc_259):
    assert Article.objects.get(pmid=27454254).authors.count() == 1004

    response = client.get(LIST_URL, {"year_from": 2016, "year_to": 2016})

    row = row_of(response, 27454254)
    assert re.search(r'<p class="result__authors">[^<,]+, [^<,]+, [^<,]+, et al\.</p>', row)


@pytest.mark.django_db
def test_it_hides_withdrawn_articles(client, hawc_259):
    ingest_records([r.Deletion(pmids=(39180124,))], source="pubmed26n0001.xml.gz")

    response = client.get(LIST_URL)

    assert 39180124 not in pmids_on(response)
    assert pmids_on(response)[0] == 38833407
    assert response.context["paginator"].count == 258


@pytest.mark.django_db
@pytest.mark.parametrize("per_page", [10, 20, 50, 100, 200])
def test_it_offers_page_sizes(client, hawc_259, per_page):
    response = client.get(LIST_URL, {"per_page": per_page})

    assert len(pmids_on(response)) == per_page
    assert shown_option(response, "per_page") == (
        "" if per_page == 20 else str(per_page),
        str(per_page),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("per_page", ["7", "1000", "all", "", "²", "99999999999999999999", "-1"])
def test_it_falls_back_to_twenty_for_other_page_sizes(client, hawc_259, per_page):
    response = client.get(LIST_URL, {"per_page": per_page}, follow=True)  # "": to /

    assert len(pmids_on(response)) == 20


@pytest.mark.django_db
def test_it_links_pages_keeping_filters_and_page_size(client, hawc_259):
    response = client.get(LIST_URL, {"journal": "environ", "per_page": 10, "page": 2})

    html = response.content.decode()
    assert response.context["page_obj"].number == 2
    assert 'href="?journal=environ&amp;per_page=10&amp;page=3" rel="next"' in html
    assert 'href="?journal=environ&amp;per_page=10&amp;page=1" rel="prev"' in html
    assert 'aria-current="page">2</a>' in html


@pytest.mark.django_db
def test_past_the_last_page_it_shows_the_last_page(client, hawc_259):
    last = client.get(LIST_URL, {"per_page": 50, "page": 6})

    response = client.get(LIST_URL, {"per_page": 50, "page": 18})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 6
    assert pmids_on(response) == pmids_on(last)
    assert len(pmids_on(response)) == 9
    assert "259 articles, showing 251–259" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["abc", "2.5", "0", "-3"])
def test_a_page_that_is_no_page_number_shows_the_first(client, hawc_259, page):
    response = client.get(LIST_URL, {"page": page})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 1
    assert pmids_on(response)[:4] == [39180124, 38833407, 38430581, 38056127]


@pytest.mark.django_db
def test_the_sort_box_shows_the_order_of_the_list(client, hawc_259):
    def shown(**params: str) -> tuple[str, str]:
        response = client.get(LIST_URL, params)
        return shown_option(response, "sort")[1], shown_option(response, "sort_order")[1]

    assert shown() == ("Publication date", "Descending")
    assert shown(sort="fauth", sort_order="asc") == ("First author", "Ascending")
    assert shown(sort="pubdate", sort_order="desc") == ("Publication date", "Descending")
    # Best match needs a search: without one the list is by date, and says so.
    assert shown(sort="relevance") == ("Publication date", "Descending")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [{"sort": "bogus"}, {"sort_order": "bogus"}, {"sort": "%s", "sort_order": "DESC "}],
)
def test_an_unknown_sort_gives_the_default_order(client, hawc_259, params):
    default = client.get(LIST_URL)

    response = client.get(LIST_URL, params)

    assert response.status_code == 200
    assert pmids_on(response) == pmids_on(default)
    assert "259 articles, showing 1–20" in response.content.decode()
    assert shown_option(response, "sort") == ("", "Publication date")
    assert shown_option(response, "sort_order") == ("", "Descending")


@pytest.mark.django_db
def test_empty_parameters_redirect_to_the_url_without_them(client):
    response = client.get(
        LIST_URL + "?term=&disease=+&journal=environ&publication_type=&publication_type=D016454"
        "&sort=&sort_order=&per_page=&page="
    )

    assert response.status_code == 302
    assert response["Location"] == "/?journal=environ&publication_type=D016454"
    assert client.get(LIST_URL + "?term=&disease=")["Location"] == "/"
    assert client.get(LIST_URL + "?format=abstract&journal=")["Location"] == "/?format=abstract"
    assert client.get(LIST_URL + "?year_from=2010&year_from=")["Location"] == "/?year_from=2010"


@pytest.mark.django_db
def test_the_form_sends_nothing_for_the_default_order_and_page_size(client, hawc_259):
    response = client.get(LIST_URL)

    assert shown_option(response, "sort") == ("", "Publication date")
    assert shown_option(response, "sort_order") == ("", "Descending")
    assert shown_option(response, "per_page") == ("", "20")


@pytest.mark.django_db
def test_it_filters_by_journal_title_or_abbreviation(client, hawc_259):
    by_abbreviation = client.get(LIST_URL, {"journal": "Environ Health Perspect"})
    by_title = client.get(LIST_URL, {"journal": "environmental health perspectives"})

    assert by_abbreviation.context["paginator"].count == 9
    assert pmids_on(by_title) == pmids_on(by_abbreviation)
    assert {a.journal.iso_abbreviation for a in by_title.context["article_list"]} == {
        "Environ Health Perspect"
    }


@pytest.mark.django_db
@pytest.mark.parametrize("sort_order", ["desc", "asc"])
def test_articles_with_no_number_of_patients_come_last_either_way(client, hawc_259, sort_order):
    counts = [
        getattr(getattr(article, "facts", None), "patient_count", None)
        for page in (1, 2)
        for article in client.get(
            LIST_URL,
            {"sort": "patients", "sort_order": sort_order, "per_page": 200, "page": page},
        ).context["article_list"]
    ]
    known = [count for count in counts if count is not None]

    assert len(counts) == 259
    assert 0 < len(known) < len(counts)
    assert counts == known + [None] * (len(counts) - len(known))
    assert known == sorted(known, reverse=sort_order == "desc")


@pytest.mark.django_db
def test_it_filters_by_publication_year_range(client, hawc_259):
    response = client.get(LIST_URL, {"year_from": 2010, "year_to": 2012, "per_page": 50})

    assert response.context["paginator"].count == 15
    assert {a.pub_year for a in response.context["article_list"]} <= {2010, 2011, 2012}


@pytest.mark.django_db
def test_it_filters_by_publication_type(client, hawc_259):
    response = client.get(LIST_URL, {"publication_type": "D016454"})  # Review

    assert response.context["paginator"].count == 19
    assert '<option value="D016454" selected>Review</option>' in response.content.decode()


@pytest.mark.django_db
def test_it_filters_articles_without_abstract(client, hawc_259):
    response = client.get(LIST_URL, {"has_abstract": "false"})

    assert response.context["paginator"].count == 6
    assert all(not a.has_abstract for a in response.context["article_list"])
    assert client.get(LIST_URL, {"has_abstract": "true"}).context["paginator"].count == 253


@pytest.mark.django_db
def test_it_shows_an_error_instead_of_results_for_a_bad_year(client, hawc_259):
    response = client.get(LIST_URL, {"year_from": "last year"})

    assert response.status_code == 200
    assert pmids_on(response) == []
    assert "Enter a number." in response.content.decode()


@pytest.mark.django_db
def test_the_filterset_combines_facets(hawc_259):
    filterset = ArticleFilter(
        data={"journal": "Environ Health Perspect", "year_from": "2011", "has_abstract": "true"},
        queryset=Article.objects.visible(),
    )

    assert filterset.is_valid()
    assert sorted(filterset.qs.values_list("pmid", flat=True)) == sorted(
        Article.objects.filter(
            journal__iso_abbreviation="Environ Health Perspect",
            pub_year__gte=2011,
            has_abstract=True,
        ).values_list("pmid", flat=True)
    )
    assert 21813367 not in filterset.qs.values_list("pmid", flat=True)  # not in hawc_259


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"per_page": 10},
        {"per_page": 200},
        # A page holding the 1,004-author record.
        {"per_page": 200, "year_from": 2016, "year_to": 2016},
        {"per_page": 50, "journal": "toxicol", "has_abstract": "true"},
    ],
)
def test_it_uses_a_fixed_number_of_queries(client, hawc_259, params, django_assert_num_queries):
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST_URL, params)

    assert response.status_code == 200
    assert len(pmids_on(response)) > 1


@pytest.mark.django_db
@pytest.mark.parametrize("per_page", [10, 200])
def test_it_spends_one_more_query_on_a_publication_type(
    client, hawc_259, per_page, django_assert_num_queries
):
    with django_assert_num_queries(LIST_QUERIES + 1):
        response = client.get(LIST_URL, {"per_page": per_page, "publication_type": "D013485"})

    assert response.context["paginator"].count == 104  # Research Support, Non-U.S. Gov't


@pytest.mark.django_db
def test_the_thousand_author_record_costs_no_extra_query(client, hawc_259):
    response = client.get(LIST_URL, {"per_page": 200, "year_from": 2016, "year_to": 2016})

    assert 27454254 in pmids_on(response)
    assert all(len(a.first_authors) <= 4 for a in response.context["article_list"])


@pytest.mark.django_db
def test_it_escapes_markup_in_titles(client, tmp_path):
    source = (FIXTURES / "hawc_title_markup_27933116.xml").read_text(encoding="utf-8")
    hostile = re.sub(
        r"<ArticleTitle>.*?</ArticleTitle>",
        "<ArticleTitle>&lt;script&gt;alert(1)&lt;/script&gt; <i>in vivo</i> "
        "&lt;img src=x onerror=alert(2)&gt;</ArticleTitle>",
        source,
        count=1,
        flags=re.S,
    )
    path = tmp_path / "hostile_title.xml"
    path.write_text(hostile, encoding="utf-8")
    ingest_files([path])

    html = client.get(LIST_URL).content.decode()

    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <i>in vivo</i> &lt;img src=x" in html


@pytest.mark.django_db
def test_pages_go_past_the_articles_the_facets_count(client, hawc_259, monkeypatch):
    monkeypatch.setattr("articles.browse.facets.SAMPLE", 50)

    response = client.get(LIST_URL, {"page": 10})

    assert response.status_code == 200
    assert response.context["paginator"].count == 259
    assert response.context["listing"].facets.counted == 50
    assert "Counts beside each filter are estimates from a random sample of 50 of the 259" in (
        response.content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("sort_order", ["desc", "asc"])
def test_pages_hold_the_filtered_articles_in_order_whichever_way_they_are_read(
    client, hawc_259, sort_order
):
    # Newest first, a page's PMIDs come from the list the facets read; oldest first, from a
    # query of their own. Both must give the filtered articles, each once, in order.
    params = {"journal": "toxicol", "per_page": 20, "sort_order": sort_order}
    ordering = ("-pub_date", "-pmid") if sort_order == "desc" else ("pub_date", "pmid")
    expected = list(
        ArticleFilter(QueryDict(urlencode({"journal": "toxicol"})), queryset=Article.objects.all())
        .qs.order_by(*ordering)
        .values_list("pmid", flat=True)
    )
    shown = []
    for page in range(1, len(expected) // 20 + 2):
        shown += pmids_on(client.get(LIST_URL, {**params, "page": page}))

    assert len(expected) == 141
    assert shown == expected
