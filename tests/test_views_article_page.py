"""The article page beyond the record: MeSH links into the list, similar and citing articles
of the collection, "not deposited" references, on 52 real 1977-79 records."""

import re
from pathlib import Path

import pytest

from articles.ingest.files import ingest_files
from articles.text.mesh import load_mesh

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def records(db):
    stats = ingest_files([FIXTURES / "pubmed20n0014_browse_52.xml.gz"])
    assert stats.failed == 0, stats.problems
    load_mesh(FIXTURES / "mesh_2024_browse_excerpt.tsv.gz")


def flat(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def test_each_mesh_term_links_to_the_list_filtered_by_it(client, records):
    html = client.get("/403383/").content.decode()

    assert '<a href="/?disease=Asthma">Asthma</a>' in html
    assert '<a href="/?therapy=Cromolyn+Sodium">Cromolyn Sodium</a> / ' in html
    assert "/ <strong>therapeutic use*</strong>" in html  # a major qualifier
    assert '<a href="/?mesh=Humans">Humans</a>' in html


def test_similar_articles_share_the_most_diseases_and_therapies(client, records):
    response = client.get("/403383/")

    similar = [(a.pmid, a.shared_concepts) for a in response.context["similar"]]
    # 406740 shares Asthma, Cromolyn Sodium and Rhinitis, Allergic, Seasonal.
    assert similar == [
        (406740, 3),
        (412160, 2),
        (411399, 2),
        (411403, 2),
        (400601, 1),
        (402871, 1),
    ]
    assert "3 shared" in response.content.decode()


def test_a_reference_we_hold_links_locally_and_is_cited_by(client, records):
    citing = client.get("/399607/").content.decode()
    cited = client.get("/406965/")

    assert re.search(r'<a href="/406965/">In Casebook<span class="visually-hidden"> \(PMID', citing)
    assert [a.pmid for a in cited.context["cited_by"]] == [399607]
    assert 'href="/399607/"' in cited.content.decode()


def test_it_says_when_pubmed_has_no_reference_list(client, records):
    html = flat(client.get("/406965/").content.decode())

    assert "Not deposited: PubMed holds no reference list for this article." in html


def test_an_article_nobody_cites_says_so(client, records):
    response = client.get("/403383/")

    assert response.context["cited_by"] == []
    assert "No article in this collection cites it." in response.content.decode()
