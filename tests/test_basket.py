"""The basket: a session-kept selection, built across pages with plain POST forms."""

import csv
import io
import json
import re
from pathlib import Path

import bibtexparser
import pytest
import rispy
from Bio import Medline
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from articles.curation import actions as curation
from articles.exports.basket import LIMIT, Basket
from articles.ingest.files import ingest_files, ingest_records
from articles.pubmed import records as r

FIXTURES = Path(__file__).parent / "fixtures"
BASKET_URL = reverse("articles:basket")
ADD_URL = reverse("articles:basket_add")
REMOVE_URL = reverse("articles:basket_remove")
CLEAR_URL = reverse("articles:basket_clear")

STRUCTURED = 21813367
COLLECTIVE = 21860499
CHAPTER = 20301382


@pytest.fixture
def articles():
    stats = ingest_files(
        [
            FIXTURES / "hawc_structured_abstract_21813367.xml",
            FIXTURES / "hawc_collective_author_21860499.xml",
            FIXTURES / "hawc_book_chapter_20301382.xml",
        ]
    )
    assert stats.failed == 0, stats.problems


def basket_pmids(client) -> list[int]:
    response = client.get(BASKET_URL)
    assert response.status_code == 200
    return [article.pmid for article in response.context["articles"]]


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.mark.django_db
def test_it_keeps_ticked_articles_across_requests_in_the_order_added(client, articles):
    first = client.post(ADD_URL, {"pmid": [CHAPTER, STRUCTURED], "next": "/?page=2"})
    client.post(ADD_URL, {"pmid": [COLLECTIVE, STRUCTURED]})

    assert first.status_code == 302
    assert first["Location"] == "/?page=2"
    assert basket_pmids(client) == [CHAPTER, STRUCTURED, COLLECTIVE]
    assert basket_pmids(Client()) == []  # another visitor has their own basket


@pytest.mark.django_db
def test_it_says_what_was_added_and_counts_the_basket_in_the_header(client, articles):
    response = client.post(ADD_URL, {"pmid": [STRUCTURED, COLLECTIVE]}, follow=True)
    html = re.sub(r"\s+", " ", response.content.decode())

    assert "Added 2 articles; 2 in the basket." in html
    assert 'Basket <span class="count">(2<span class="visually-hidden"> articles</span>)' in html
    assert "2 articles, kept for this browser session." in html


@pytest.mark.django_db
def test_it_adds_only_stored_visible_articles(client, articles):
    ingest_records([r.Deletion(pmids=(COLLECTIVE,))], source="pubmed26n0001.xml.gz")

    client.post(ADD_URL, {"pmid": [STRUCTURED, COLLECTIVE, 1]})

    assert basket_pmids(client) == [STRUCTURED]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "junk", ["²", "99999999999999999999", "2147483648", "0", "-1", "1e3", "NaN", "not-a-pmid"]
)
@pytest.mark.parametrize("url", [ADD_URL, REMOVE_URL])
def test_it_answers_400_naming_a_posted_pmid_that_is_not_one(client, articles, url, junk):
    client.post(ADD_URL, {"pmid": [STRUCTURED]})

    response = client.post(url, {"pmid": [COLLECTIVE, junk]})

    assert response.status_code == 400
    assert response.content.decode() == (f"pmid: {junk!r} is not a PubMed ID (1 to 2147483647).")
    assert basket_pmids(client) == [STRUCTURED]  # nothing added or removed


@pytest.mark.django_db
def test_it_removes_ticked_articles_and_clears(client, articles):
    client.post(ADD_URL, {"pmid": [STRUCTURED, COLLECTIVE, CHAPTER]})

    client.post(REMOVE_URL, {"pmid": [COLLECTIVE]})
    assert basket_pmids(client) == [STRUCTURED, CHAPTER]

    response = client.post(CLEAR_URL, follow=True)
    assert basket_pmids(client) == []
    assert "The basket is empty." in response.content.decode()


@pytest.mark.django_db
def test_it_changes_the_basket_only_by_post_with_a_csrf_token(articles):
    client = Client(enforce_csrf_checks=True)

    assert client.get(ADD_URL, {"pmid": STRUCTURED}).status_code == 405
    assert client.post(ADD_URL, {"pmid": STRUCTURED}).status_code == 403
    token = csrf_token(client.get("/").content.decode())
    assert client.post(ADD_URL, {"pmid": STRUCTURED, "csrfmiddlewaretoken": token}).status_code == (
        302
    )
    assert basket_pmids(client) == [STRUCTURED]


@pytest.mark.django_db
def test_it_never_redirects_off_site(client, articles):
    response = client.post(ADD_URL, {"pmid": STRUCTURED, "next": "https://evil.example/"})

    assert response["Location"] == BASKET_URL


@pytest.mark.django_db
def test_the_list_page_has_a_checkbox_per_row_and_marks_what_is_in_the_basket(client, articles):
    client.post(ADD_URL, {"pmid": [STRUCTURED]})

    html = re.sub(r"\s+", " ", client.get("/").content.decode())

    assert f'<form id="basket-form" method="post" action="{ADD_URL}">' in html
    for pmid in (STRUCTURED, COLLECTIVE, CHAPTER):
        assert (
            f'<input type="checkbox" name="pmid" value="{pmid}" id="select-{pmid}" '
            f'form="basket-form"><label for="select-{pmid}">Select'
        ) in html
    assert html.count('<span class="tag">In basket</span>') == 1


@pytest.mark.django_db
def test_the_basket_page_shows_curators_corrections(client, articles):
    curator = User.objects.create_user("cora", is_staff=True)
    curation.correct(STRUCTURED, "title", "PFOA in drinking water, validated.", user=curator)
    curation.correct(STRUCTURED, "author:1:name", "Vieira VeM", user=curator)
    client.post(ADD_URL, {"pmid": [STRUCTURED]})

    html = re.sub(r"\s+", " ", client.get(BASKET_URL).content.decode())

    assert "PFOA in drinking water, validated." in html
    assert "Retrospective exposure estimation" not in html
    assert '<p class="result__authors">Shin HM, Vieira VeM, Ryan PB, et al.</p>' in html


@pytest.mark.django_db
def test_the_article_page_adds_and_then_removes(client, articles):
    html = client.get(f"/{STRUCTURED}/").content.decode()
    assert f'action="{ADD_URL}"' in html
    assert ">Add to basket</button>" in html

    client.post(ADD_URL, {"pmid": STRUCTURED, "next": f"/{STRUCTURED}/"})
    html = client.get(f"/{STRUCTURED}/").content.decode()
    assert f'action="{REMOVE_URL}"' in html
    assert ">Remove from basket</button>" in html


@pytest.mark.django_db
def test_the_article_page_form_carries_its_csrf_token(articles):
    client = Client(enforce_csrf_checks=True)
    html = client.get(f"/{STRUCTURED}/").content.decode()
    form = re.search(rf'<form method="post" action="{ADD_URL}">.*?</form>', html, re.S)
    assert form, "no Add to basket form"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[0]))

    response = client.post(ADD_URL, fields)

    assert response.status_code == 302
    assert response["Location"] == f"/{STRUCTURED}/"
    assert basket_pmids(client) == [STRUCTURED]


def exported_pmids(name: str, text: str) -> list[int]:
    if name == "ris":
        return [int(entry["accession_number"]) for entry in rispy.loads(text)]
    if name == "nbib":
        return [int(entry["PMID"]) for entry in Medline.parse(io.StringIO(text))]
    if name == "bibtex":
        return [int(entry["eprint"]) for entry in bibtexparser.parse_string(text).entries]
    if name == "csl-json":
        return [int(item["PMID"]) for item in json.loads(text)]
    assert text.startswith("\ufeff")
    return [int(row["pmid"]) for row in csv.DictReader(io.StringIO(text[1:], newline=""))]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "filename"),
    [
        ("ris", "casebook-basket.ris"),
        ("nbib", "casebook-basket.nbib"),
        ("bibtex", "casebook-basket.bib"),
        ("csl-json", "casebook-basket.json"),
        ("csv", "casebook-basket.csv"),
    ],
)
def test_it_exports_the_basket_in_every_format(client, articles, name, filename):
    client.post(ADD_URL, {"pmid": [STRUCTURED, CHAPTER]})

    response = client.get(reverse("articles:basket_export", args=[name]))
    text = b"".join(response.streaming_content).decode()

    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert exported_pmids(name, text) == [CHAPTER, STRUCTURED]  # PMID order


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["ris", "nbib", "bibtex", "csl-json", "csv"])
def test_the_basket_exports_curators_corrections(client, articles, name):
    curator = User.objects.create_user("cora", is_staff=True)
    curation.correct(STRUCTURED, "title", "PFOA in drinking water, validated.", user=curator)
    client.post(ADD_URL, {"pmid": [STRUCTURED]})

    response = client.get(reverse("articles:basket_export", args=[name]))
    text = b"".join(response.streaming_content).decode()

    # BibTeX braces the acronym so that styles changing case keep it.
    braced = "{PFOA}" if name == "bibtex" else "PFOA"
    assert f"{braced} in drinking water, validated." in text
    assert "Retrospective exposure estimation" not in text


@pytest.mark.django_db
def test_an_empty_basket_exports_an_empty_file(client, articles):
    response = client.get(reverse("articles:basket_export", args=["csl-json"]))

    assert json.loads(b"".join(response.streaming_content)) == []


@pytest.mark.django_db
def test_the_basket_page_links_every_export(client, articles):
    client.post(ADD_URL, {"pmid": [STRUCTURED]})

    html = client.get(BASKET_URL).content.decode()

    for name in ("ris", "nbib", "bibtex", "csl-json", "csv"):
        assert f'href="/basket/export/{name}/" download>' in html


@pytest.mark.django_db
def test_it_holds_at_most_the_limit_and_says_so(client, articles):
    session = SessionStore()
    Basket(session).add(range(1, LIMIT))  # PMIDs 1..499: one place left
    session.save()
    client.cookies["sessionid"] = session.session_key

    response = client.post(ADD_URL, {"pmid": [STRUCTURED, COLLECTIVE]}, follow=True)
    html = response.content.decode()

    assert "Added 1 article; 500 in the basket." in html
    assert f"The basket is full: it holds at most {LIMIT} articles." in html
    assert Basket(SessionStore(session.session_key)).pmids[-1] == STRUCTURED


def test_the_basket_ignores_repeats_and_removes_what_it_is_told():
    basket = Basket({})

    assert basket.add([3, 1, 3, 2]) == 3
    assert basket.add([1]) == 0
    assert basket.remove([1, 9]) == 1
    assert list(basket) == [3, 2]
    assert 2 in basket and 1 not in basket
