"""The read-only JSON API under /api/v1/, on real PubMed records."""

import json
import re
from pathlib import Path

import bibtexparser
import pytest
import rispy
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command

from articles.curation import actions as curation
from articles.exports.records import article_to_dict
from articles.ingest.files import ingest_files, ingest_records
from articles.models import Article, MeshDescriptor
from articles.pubmed import records as r
from articles.text.mesh import load_mesh

FIXTURES = Path(__file__).parent / "fixtures"
LIST_URL = "/api/v1/articles/"
STRUCTURED = 21813367
NO_ABSTRACT_NEWEST_FIRST = [7161829, 6677511, 3770794, 3583306, 769879, 598790]


def ingest(*names: str) -> None:
    stats = ingest_files([FIXTURES / name for name in names])
    assert stats.failed == 0, stats.problems


@pytest.fixture(autouse=True)
def fresh_throttle():
    # Throttle counts live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def hawc_259():
    ingest("hawc_259_records.xml.gz")


def pmids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["pmid"] for row in response.json()["results"]]


# List ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_filters_like_the_list_page(client, hawc_259):
    response = client.get(LIST_URL, {"has_abstract": "false"})

    assert pmids(response) == NO_ABSTRACT_NEWEST_FIRST


@pytest.mark.django_db
def test_it_combines_journal_year_and_publication_type_filters(client, hawc_259):
    params = {"journal": "Environ Health Perspect", "year_from": 2010, "year_to": 2012}
    page_rows = client.get("/", {**params, "per_page": 200}).context["article_list"]

    api_pmids = pmids(client.get(LIST_URL, {**params, "page_size": 200}))

    assert api_pmids == sorted((a.pmid for a in page_rows), reverse=True)
    assert len(api_pmids) > 0
    reviews = pmids(client.get(LIST_URL, {"publication_type": "D016454", "page_size": 200}))
    assert len(reviews) == 19  # as on the list page


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["disease", "therapy", "mesh"])
@pytest.mark.parametrize("typed", ["%", "%s", "%(x)s", "{}", "Sjögren’s ü"])
def test_an_unknown_term_is_a_400_naming_it_as_typed(client, name, typed):
    response = client.get(LIST_URL, {name: typed})

    assert response.status_code == 400
    assert response.json() == {name: [f"MeSH has no term “{typed}”."]}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["journal", "language"])
@pytest.mark.parametrize("typed", ["%", "%s", "%(x)s", "{}", "Sjögren’s ü"])
def test_a_journal_or_language_of_any_characters_is_looked_up_as_typed(client, name, typed):
    ingest("hawc_structured_abstract_21813367.xml")

    assert pmids(client.get(LIST_URL, {name: typed})) == []
    assert pmids(client.get(LIST_URL)) == [STRUCTURED]


@pytest.mark.django_db
def test_it_says_how_the_search_was_read(client, hawc_259):
    # s* has over 600 variants in these records: the first 600 are searched, as PubMed does.
    capped = client.get(LIST_URL, {"term": "s*"}).json()
    plain = client.get(LIST_URL, {"term": "micronucleus"}).json()

    assert capped["search_note"] == (
        "s* was limited to its first 600 variants (s to substitutions), as PubMed limits it: "
        "lengthen the stem to search every word it begins."
    )
    assert plain["search_note"] == ""


@pytest.mark.django_db
def test_it_pages_with_a_cursor_until_the_end(client, hawc_259):
    seen = []
    url, params = LIST_URL, {"has_abstract": "false", "page_size": 2}
    pages = 0
    while url:
        body = client.get(url, params).json()
        seen.append([row["pmid"] for row in body["results"]])
        url, params = body["next"], None
        pages += 1

    assert seen == [[7161829, 6677511], [3770794, 3583306], [769879, 598790]]
    assert pages == 3


@pytest.mark.django_db
def test_it_describes_each_row_with_links(client, hawc_259):
    [row] = [
        row
        for row in client.get(LIST_URL, {"has_abstract": "false"}).json()["results"]
        if row["pmid"] == 7161829
    ]

    assert row == {
        "pmid": 7161829,
        "kind": "article",
        "title": (
            "The carcinogenicity of dietary di(2-ethylhexyl) phthalate (DEHP) in Fischer 344 "
            "rats and B6C3F1 mice."
        ),
        "authors": "Kluwe WM, Haseman JK, Douglas JF, et al.",
        "source": "J Toxicol Environ Health. 1982 Oct-Nov;10(4-5):797-815.",
        "pub_year": 1982,
        "doi": "10.1080/15287398209530296",
        "pmcid": "",
        "has_abstract": False,
        "is_retracted": False,
        "url": "http://testserver/api/v1/articles/7161829/",
        "html_url": "http://testserver/7161829/",
        "casebook": {
            "status": "unreviewed",
            "kind": "other",
            "patient_count": None,
            "diseases": [
                "Body Weight",
                "Liver Neoplasms",
                "Neoplasms, Experimental",
                "Pituitary Neoplasms",
            ],
            "therapies": [],
        },
    }


@pytest.mark.django_db
def test_a_row_shows_curators_corrections_and_casebook_values(client, hawc_259):
    dehp = MeshDescriptor.objects.get(name="Diethylhexyl Phthalate").ui
    for key, value in [
        ("title", "DEHP carcinogenicity in F344 rats and B6C3F1 mice."),
        ("author:0:name", "Kluwe William M"),
        ("facts:kind", "case_series"),
        ("facts:patient_count", "12"),
        (f"concept:therapy:{dehp}", "yes"),
        ("concept:disease:D001835", "no"),  # Body Weight
    ]:
        curation.correct(7161829, key, value, user=None)

    [row] = client.get(LIST_URL, {"has_abstract": "false", "page_size": 1}).json()["results"]

    assert row["title"] == "DEHP carcinogenicity in F344 rats and B6C3F1 mice."
    assert row["authors"] == "Kluwe William M, Haseman JK, Douglas JF, et al."
    assert row["casebook"] == {
        "status": "unreviewed",
        "kind": "case_series",
        "patient_count": 12,
        "diseases": ["Liver Neoplasms", "Neoplasms, Experimental", "Pituitary Neoplasms"],
        "therapies": ["Diethylhexyl Phthalate"],
    }


@pytest.mark.django_db
def test_it_leaves_withdrawn_articles_out(client, hawc_259):
    ingest_records([r.Deletion(pmids=(7161829,))], source="pubmed26n0001.xml.gz")

    assert pmids(client.get(LIST_URL, {"has_abstract": "false"})) == NO_ABSTRACT_NEWEST_FIRST[1:]


@pytest.mark.django_db
def test_it_answers_400_for_invalid_filters(client, hawc_259):
    response = client.get(LIST_URL, {"year_from": "last year"})

    assert response.status_code == 400
    assert response.json() == {"year_from": ["Enter a number."]}


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{}, {"sort": "jour"}])
def test_a_list_page_costs_four_queries_whatever_its_size(
    client, hawc_259, params, django_assert_num_queries
):
    # The page of articles with journals, case facts and curations, then their first
    # authors, their diseases and therapies with names, and curators' corrections; no count.
    with django_assert_num_queries(4):
        assert len(pmids(client.get(LIST_URL, {"page_size": 200, **params}))) == 200


# Sorting -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_sorts_as_the_list_page_does(client, hawc_259):
    for sort in ("pubdate", "fauth", "jour", "patients", "relevance"):
        for sort_order in ("desc", "asc"):
            params = {"sort": sort, "sort_order": sort_order}
            if sort == "relevance":
                params["term"] = "phthalate liver"
            listed = client.get("/", {**params, "per_page": 200}).context["article_list"]

            api_pmids = pmids(client.get(LIST_URL, {**params, "page_size": 200}))

            assert api_pmids == [article.pmid for article in listed], params
            assert len(set(api_pmids)) == len(api_pmids) > 40, params
    # Best match without a search is by publication date, as on the list page.
    assert pmids(client.get(LIST_URL, {"sort": "relevance", "page_size": 200})) == pmids(
        client.get(LIST_URL, {"sort": "pubdate", "page_size": 200})
    )


@pytest.mark.django_db
def test_it_pages_a_sorted_list_forwards_and_back(client, hawc_259):
    params = {"sort": "patients", "page_size": 100}
    expected = [
        a.pmid
        for a in client.get("/", {"sort": "patients", "per_page": 200}).context["article_list"]
    ] + [
        a.pmid
        for a in client.get("/", {"sort": "patients", "per_page": 200, "page": 2}).context[
            "article_list"
        ]
    ]

    first = client.get(LIST_URL, params).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    back = client.get(third["previous"]).json()

    seen = [row["pmid"] for page in (first, second, third) for row in page["results"]]
    assert seen == expected
    assert len(seen) == 259
    assert [len(page["results"]) for page in (first, second, third)] == [100, 100, 59]
    assert (first["previous"], third["next"]) == (None, None)
    assert back == second
    assert client.get(second["previous"]).json() == first
    # Most patients first: in these records, single case reports.
    assert first["results"][0]["casebook"]["patient_count"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("sort_order", ["desc", "asc"])
def test_best_match_without_a_search_is_by_date_as_on_the_list_page(client, hawc_259, sort_order):
    params = {"sort": "relevance", "sort_order": sort_order}
    by_date = pmids(client.get(LIST_URL, {"sort": "pubdate", "sort_order": sort_order}))
    listed = client.get("/", params).context["article_list"]

    api_pmids = pmids(client.get(LIST_URL, params))

    assert api_pmids == by_date == [article.pmid for article in listed]


@pytest.mark.django_db
def test_it_answers_400_for_an_unknown_sort(client, hawc_259):
    # The list page shows its default order instead; a client is told.
    sort = client.get(LIST_URL, {"sort": "bogus"})
    order = client.get(LIST_URL, {"sort": "jour", "sort_order": "up"})

    assert (sort.status_code, sort.json()) == (
        400,
        {"sort": ["Select a valid choice. bogus is not one of the available choices."]},
    )
    assert (order.status_code, order.json()) == (
        400,
        {"sort_order": ["Select a valid choice. up is not one of the available choices."]},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "cursor"),
    [
        ({}, "cD1hYmM="),  # p=abc: a position that is no PMID
        ({}, "not base64!"),
        ({"sort": "jour"}, "cD03MTYxODI5"),  # p=7161829: a cursor of the unsorted list
        ({"sort": "jour"}, "cz0xMDAwMA=="),  # s=10000: past the 10,000 the list pages
        ({"sort": "jour"}, "w6k="),
    ],
)
def test_it_answers_404_for_a_cursor_it_did_not_give(client, hawc_259, params, cursor):
    response = client.get(LIST_URL, {**params, "cursor": cursor})

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor"}


# Detail --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_returns_the_complete_record_as_the_jsonl_export_does(client):
    ingest("hawc_structured_abstract_21813367.xml", "hawc_book_chapter_20301382.xml")

    for pmid in (STRUCTURED, 20301382):
        response = client.get(f"{LIST_URL}{pmid}/")
        expected = json.loads(json.dumps(article_to_dict(Article.objects.get(pk=pmid))))
        assert response.status_code == 200
        assert response.json() == expected


@pytest.mark.django_db
def test_the_record_keeps_pubmeds_text_and_gives_the_corrections_beside_it(client):
    ingest("hawc_structured_abstract_21813367.xml")
    curation.correct(STRUCTURED, "title", "PFOA exposure estimates.", user=None)
    curation.set_status([STRUCTURED], "included", user=None)

    record = client.get(f"{LIST_URL}{STRUCTURED}/").json()

    assert record["title"].startswith("Retrospective exposure estimation")
    assert record["casebook"]["status"] == "included"
    assert record["casebook"]["corrections"] == [
        {
            "field": "title",
            "value": "PFOA exposure estimates.",
            "original": record["title"],
            "needs_review": False,
        }
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["ris", "nbib", "bibtex", "csl-json", "csv"])
def test_its_citation_formats_show_the_corrected_text(client, name):
    ingest("hawc_structured_abstract_21813367.xml")
    curation.correct(STRUCTURED, "title", "PFOA exposure estimates.", user=None)

    text = client.get(f"{LIST_URL}{STRUCTURED}/", {"format": name}).content.decode()

    # BibTeX braces the acronym so that styles changing case keep it.
    braced = "{PFOA}" if name == "bibtex" else "PFOA"
    assert f"{braced} exposure estimates." in text
    assert "Retrospective exposure estimation" not in text


@pytest.mark.django_db
def test_it_answers_404_for_unknown_and_410_for_withdrawn(client):
    ingest("hawc_structured_abstract_21813367.xml")
    ingest_records([r.Deletion(pmids=(STRUCTURED, 5))], source="pubmed26n0001.xml.gz")

    assert client.get(f"{LIST_URL}1/").status_code == 404
    assert client.get(f"{LIST_URL}{STRUCTURED}/").status_code == 410
    assert client.get(f"{LIST_URL}5/").status_code == 410


@pytest.mark.django_db
def test_it_sends_an_etag_that_changes_with_curators_work_and_honours_it(client):
    ingest("hawc_structured_abstract_21813367.xml")
    url = f"{LIST_URL}{STRUCTURED}/"
    etag = client.get(url)["ETag"]

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    curation.set_status([STRUCTURED], "included", user=None)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200
    etag = client.get(url)["ETag"]
    curation.correct(STRUCTURED, "title", "PFOA exposure estimates.", user=None)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.django_db
def test_it_gives_the_record_in_an_export_format_by_query_or_accept_header(client):
    ingest("hawc_structured_abstract_21813367.xml")
    url = f"{LIST_URL}{STRUCTURED}/"

    ris = client.get(url, {"format": "ris"})
    bibtex = client.get(url, HTTP_ACCEPT="application/x-bibtex")
    csl = client.get(url, HTTP_ACCEPT="application/vnd.citationstyles.csl+json")

    assert ris["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    [entry] = rispy.loads(ris.content.decode())
    assert (entry["accession_number"], entry["doi"]) == ("21813367", "10.1289/ehp.1103729")
    assert bibtex["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert bibtexparser.parse_string(bibtex.content.decode()).entries[0].key == "pmid21813367"
    assert [item["PMID"] for item in json.loads(csl.content)] == ["21813367"]
    assert "Accept" in bibtex["Vary"]


@pytest.mark.django_db
def test_each_representation_has_its_own_etag(client):
    ingest("hawc_structured_abstract_21813367.xml")
    url = f"{LIST_URL}{STRUCTURED}/"

    json_etag = client.get(url)["ETag"]
    ris_etag = client.get(url, {"format": "ris"})["ETag"]

    assert json_etag != ris_etag
    assert client.get(url, {"format": "ris"}, HTTP_IF_NONE_MATCH=json_etag).status_code == 200
    assert client.get(url, {"format": "ris"}, HTTP_IF_NONE_MATCH=ris_etag).status_code == 304


@pytest.mark.django_db
def test_a_missing_article_is_404_in_any_format(client):
    response = client.get(f"{LIST_URL}1/", {"format": "nbib"})
    csl = client.get(f"{LIST_URL}1/", {"format": "csl-json"})

    assert response.status_code == 404
    assert response.content == b"No such article."
    # A JSON format's error is JSON.
    assert csl["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    assert (csl.status_code, json.loads(csl.content)) == (404, {"detail": "No such article."})


# Look-ups ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_redirects_doi_and_pmcid_look_ups_to_the_article(client):
    ingest("hawc_structured_abstract_21813367.xml")

    by_doi = client.get("/api/v1/articles/doi/10.1289/EHP.1103729")
    by_pmcid = client.get("/api/v1/articles/pmcid/PMC3261988/")

    assert (by_doi.status_code, by_doi["Location"]) == (302, "/api/v1/articles/21813367/")
    assert (by_pmcid.status_code, by_pmcid["Location"]) == (302, "/api/v1/articles/21813367/")
    assert client.get("/api/v1/articles/doi/10.1000/none").status_code == 404
    assert client.get("/api/v1/articles/pmcid/PMC1/").status_code == 404
    # A NUL character: no identifier holds one (PostgreSQL refused the query: a 500).
    assert client.get("/api/v1/articles/doi/10.1289/ehp%00").status_code == 404
    assert client.get("/api/v1/articles/pmcid/PMC%00/").status_code == 404


# Access --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_is_read_only(client):
    ingest("hawc_structured_abstract_21813367.xml")

    assert client.post(LIST_URL, {}).status_code == 403
    assert client.delete(f"{LIST_URL}{STRUCTURED}/").status_code == 403
    client.force_login(User.objects.create_user("curator"))
    assert client.post(LIST_URL, {}).status_code == 405
    assert client.delete(f"{LIST_URL}{STRUCTURED}/").status_code == 405


@pytest.mark.django_db
def test_it_throttles_anonymous_clients(client, settings):
    ingest("hawc_structured_abstract_21813367.xml")
    settings.API_ANON_RATE = "3/minute"

    statuses = [client.get(f"{LIST_URL}{STRUCTURED}/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


@pytest.mark.django_db
def test_rotating_x_forwarded_for_does_not_escape_the_throttle(client, settings):
    # 200 requests, each claiming another address: with no trusted proxy configured, the
    # client is the connection's address, and its 121st request in the minute is refused.
    ingest("hawc_structured_abstract_21813367.xml")
    settings.API_ANON_RATE = "120/minute"

    statuses = [
        client.get(
            f"{LIST_URL}{STRUCTURED}/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n % 250}, 10.0.{n}.1"
        ).status_code
        for n in range(200)
    ]

    assert statuses.count(200) == 120
    assert statuses[120:] == [429] * 80


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_throttle_counts_each_client(client, settings):
    ingest("hawc_structured_abstract_21813367.xml")
    settings.API_ANON_RATE = "2/minute"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    def status(forged: str, client_ip: str) -> int:
        forwarded = f"{forged}, {client_ip}"
        return client.get(f"{LIST_URL}{STRUCTURED}/", HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [status(f"203.0.113.{n}", "192.0.2.1") for n in range(3)] == [200, 200, 429]
    assert status("203.0.113.1", "192.0.2.2") == 200


@pytest.mark.django_db
def test_a_failing_cache_leaves_the_api_answering(client, settings, caplog):
    ingest("hawc_structured_abstract_21813367.xml")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }

    assert client.get(f"{LIST_URL}{STRUCTURED}/").status_code == 200
    assert "API request not counted: the cache failed" in caplog.messages


# Schema --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_openapi_schema_validates_without_warnings(tmp_path):
    path = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))

    assert "/api/v1/articles/{pmid}/:" in path.read_text()


@pytest.mark.django_db
def test_it_serves_the_schema(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()

    assert response.status_code == 200
    assert schema["info"]["title"] == "Casebook API"
    assert set(schema["paths"]) == {
        "/api/v1/articles/",
        "/api/v1/articles/{pmid}/",
        "/api/v1/articles/doi/{value}",
        "/api/v1/articles/pmcid/{value}/",
        "/api/v1/mesh/",
    }


@pytest.mark.django_db
def test_the_schema_gives_parameters_and_bodies_their_true_types(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    listing = schema["paths"]["/api/v1/articles/"]["get"]
    detail = schema["paths"]["/api/v1/articles/{pmid}/"]["get"]
    types = {
        p["name"]: (p["schema"]["type"], p["schema"].get("enum")) for p in listing["parameters"]
    }

    assert types["sex"] == ("string", ["female", "male"])
    assert types["age"] == ("string", ["adult", "child", "older"])
    assert types["sort"] == ("string", ["fauth", "jour", "patients", "pubdate", "relevance"])
    assert types["sort_order"] == ("string", ["asc", "desc"])
    assert types["patients_min"] == ("integer", None)
    csl = detail["responses"]["200"]["content"]["application/vnd.citationstyles.csl+json"]
    assert csl["schema"]["type"] == "array"
    assert csl["schema"]["items"]["required"] == ["id", "type", "title"]
    assert sorted(listing["responses"]) == ["200", "400", "404", "429", "503"]
    assert sorted(detail["responses"]) == ["200", "304", "404", "410", "429"]


@pytest.mark.django_db
def test_it_serves_browsable_docs_from_local_static_files(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "/api/v1/schema/" in page
    # Nothing from another host (a CDN): every script and stylesheet is ours. (Not "cdn"
    # anywhere in the page: the random CSRF token once held those three letters.)
    assert not re.search(r"""(?:src|href)=["'](?:https?:)?//""", page)


# MeSH look-up --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_looks_up_mesh_descriptors_by_prefix_then_substring(client):
    # PMID 29186030 is indexed with Cytochrome P-450 Enzyme System (D003577) and Insecticides.
    ingest("hawc_abstract_markup_29186030.xml", "hawc_structured_abstract_21813367.xml")

    response = client.get("/api/v1/mesh/", {"q": "cytochrome"})

    assert response.status_code == 200
    assert response.json() == [
        {"ui": "D003577", "name": "Cytochrome P-450 Enzyme System", "articles": 1}
    ]
    names = [row["name"] for row in client.get("/api/v1/mesh/", {"q": "insect"}).json()]
    assert names[0] == "Insecticides"
    assert client.get("/api/v1/mesh/", {"q": " "}).json() == []


@pytest.mark.django_db
def test_the_mesh_look_up_counts_concepts_found_in_the_text_and_leaves_out_removed_ones(client):
    # The seed (PMID 19387736 as its page shows it) has no MeSH: its diseases come from the text.
    ingest("seed_19387736_from_page.xml")
    load_mesh()

    def count(name):
        rows = client.get("/api/v1/mesh/", {"q": name}).json()
        return next(row["articles"] for row in rows if row["name"] == name)

    assert count("Dermatomyositis") == 1
    curator = User.objects.create_user("cora", is_staff=True)
    curation.correct(19387736, "concept:disease:D003882", "no", user=curator)
    assert count("Dermatomyositis") == 0


@pytest.mark.django_db
def test_the_mesh_look_up_of_a_name_no_descriptor_has_is_an_empty_list(client):
    load_mesh()

    assert client.get("/api/v1/mesh/", {"q": "zzqx"}).json() == []
