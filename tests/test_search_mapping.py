"""Automatic term mapping (articles/search/mapping.py, ``query.parse(mapper=...)``): untagged
words that name a disease or therapy also search that concept, its narrower ones and their
mentions in the text, and the page and the API show the query as it was run. Real records:
the demo's 354 case reports and the seed (PMID 19387736 as its PubMed page shows it, no MeSH),
with the bundled MeSH 2024 loaded first, as ``make run`` does."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from articles.curation import actions as curation
from articles.ingest.files import ingest_files
from articles.models import Article
from articles.search.filtering import read, search
from articles.search.query import Mapped, parse
from articles.text.mesh import load_mesh
from tests.search_index import empty_search_index

FIXTURES = Path(__file__).parent / "fixtures"
DEMO = Path(__file__).parent.parent / "articles" / "demo" / "pubmed21n1298_case_reports.xml.gz"
SEED = 19387736
MI = Mapped("D009203", "Myocardial Infarction", True)
AIDS = Mapped("D000163", "Acquired Immunodeficiency Syndrome", True)
HEARING_AIDS = Mapped("D006310", "Hearing Aids", False)  # E07: not a disease or therapy
IVIG = Mapped("D016756", "Immunoglobulins, Intravenous", True)
MAPPED = {"heart attack": MI, "aids": AIDS, "hearing aids": HEARING_AIDS, "ivig": IVIG}
HEART_ATTACK = (
    '((heart[All Fields] AND attack[All Fields]) OR "Myocardial Infarction"[All Fields] '
    'OR "Myocardial Infarction"[Concept])'
)


def mapper(phrases):
    return {p: MAPPED[p] for p in phrases if p in MAPPED}


# The parser, with a mapper standing in for the MeSH tables -------------------------------


def test_words_naming_a_concept_also_search_its_name_and_the_concept():
    parsed = parse("heart attack", mapper)

    assert str(parsed) == '((heart AND attack) OR "Myocardial Infarction" OR D009203[concept])'
    assert parsed.details == HEART_ATTACK
    assert parsed.names == {"D009203": "Myocardial Infarction"}
    assert parsed.mapped == {"D009203": "Myocardial Infarction"}


def test_a_plural_maps_as_its_singular_and_the_other_words_stay_as_written():
    parsed = parse("heart attacks in women", mapper)

    assert str(parsed) == (
        '(((heart AND attacks) OR "Myocardial Infarction" OR D009203[concept]) AND women)'
    )


def test_a_phrase_naming_another_kind_of_descriptor_keeps_its_words_from_mapping():
    # "hearing aids" is a device (E07): neither it nor the "aids" inside it is a concept.
    assert str(parse("hearing aids", mapper)) == "(hearing AND aids)"
    assert str(parse("aids", mapper)) == (
        '(aids OR "Acquired Immunodeficiency Syndrome" OR D000163[concept])'
    )


def test_quoted_or_tagged_words_are_searched_as_written():
    assert str(parse('"heart attack"', mapper)) == '"heart attack"'
    assert str(parse("heart attack[tiab]", mapper)) == '"heart attack"[tiab]'
    assert not parse("IVIG[ti]", mapper).mapped


def test_operators_keep_their_place_around_a_mapped_phrase():
    parsed = parse("heart attack NOT ivig", mapper)

    assert str(parsed) == (
        '(((heart AND attack) OR "Myocardial Infarction" OR D009203[concept]) NOT '
        '(ivig OR "Immunoglobulins, Intravenous" OR D016756[concept]))'
    )


def test_without_a_mapper_nothing_maps():
    assert str(parse("heart attack")) == "(heart AND attack)"


# On the stored records ------------------------------------------------------------------


@pytest.fixture(scope="module")
def collection(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        empty_search_index()  # what modules before this one left
        load_mesh()  # first, as ``make run`` does: the index holds each concept's ancestors
        stats = ingest_files([DEMO, FIXTURES / "seed_19387736_from_page.xml"])
        assert stats.failed == 0, stats.problems
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        empty_search_index()


def found(term: str) -> list[int]:
    return sorted(search(Article.objects.visible(), term).queryset.values_list("pk", flat=True))


@pytest.mark.django_db
def test_heart_attack_finds_myocardial_infarction_and_the_narrower_kinds(collection):
    # None of these says "heart attack". PMID 34090881 names an NSTEMI, 34094766 an inferior
    # wall myocardial infarction, 34094611 cardiogenic shock: narrower kinds in MeSH's tree.
    assert found("heart attack") == [
        33892970, 33971553, 34090881, 34090981, 34093902, 34093904, 34093905,
        34093907, 34094576, 34094611, 34094737, 34094766,
    ]  # fmt: skip
    assert found("heart[All Fields] attack[All Fields]") == []
    assert read("heart attack").details == HEART_ATTACK


@pytest.mark.django_db
def test_ivig_finds_the_seed_and_abstracts_that_spell_it_out(collection):
    # PMID 34093563 writes "intravenous immunoglobulin", never "IVIG".
    assert found("IVIG") == [SEED, 34092010, 34093563, 34094611, 34094734, 34095019]
    assert found("IVIG[All Fields]") == [SEED, 34092010, 34094611, 34094734]


@pytest.mark.django_db
def test_the_seed_is_found_by_ivig_dermatomyositis_lung_disease(collection):
    # "lung disease" maps to Lung Diseases, above the seed's Lung Diseases, Interstitial.
    assert found("IVIG dermatomyositis lung disease") == [SEED]
    assert found("interstitial lung disease") == [
        SEED, 34091642, 34092982, 34093427, 34094551, 34094571,
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_concept_is_named_by_its_name_an_entry_term_or_its_ui(collection):
    expected = [SEED, 34093563, 34094734, 34095019]
    assert found('"Immunoglobulins, Intravenous"[concept]') == expected
    assert found("IVIG[concept]") == found("D016756[concept]") == expected
    parsed = read("no such thing[concept]")
    assert parsed.note == "No MeSH concept matches 'no such thing'."
    assert found("no such thing[concept]") == []


@pytest.mark.django_db
def test_the_search_details_run_the_same_search_when_pasted_back(collection):
    details = read("IVIG dermatomyositis").details

    assert details == (
        '((IVIG[All Fields] OR "Immunoglobulins, Intravenous"[All Fields] OR '
        '"Immunoglobulins, Intravenous"[Concept]) AND (dermatomyositis[All Fields] OR '
        '"Dermatomyositis"[Concept]))'
    )
    assert read(details).details == details
    assert found(details) == found("IVIG dermatomyositis") == [SEED]


@pytest.mark.django_db
def test_a_concept_a_curator_removes_leaves_the_concept_search_until_undone(collection):
    curator = get_user_model().objects.create_user("cora", is_staff=True)
    correction = curation.correct(34093563, "concept:therapy:D016756", "no", user=curator)

    assert found("IVIG[concept]") == [SEED, 34094734, 34095019]
    assert 34093563 not in found("IVIG")
    correction.delete()
    curation.on_corrections_changed([34093563])
    assert 34093563 in found("IVIG")


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_the_list_page_shows_the_search_details(collection, signed_in):
    client = Client()
    if signed_in:
        client.force_login(get_user_model().objects.create_user("cora", is_staff=True))
    response = client.get("/", {"term": "heart attack"})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'also searched as <span class="concept-name">Myocardial Infarction</span>' in page
    assert (
        '<code class="search-details__query">((heart[All Fields] AND attack[All Fields]) OR '
        "&quot;Myocardial Infarction&quot;[All Fields]" in page
    )
    assert "12 articles" in page


@pytest.mark.django_db
def test_the_api_list_gives_the_search_details(collection, client):
    body = client.get("/api/v1/articles/", {"term": "heart attack"}).json()

    assert body["search_details"] == HEART_ATTACK
    assert len(body["results"]) == 12
    assert "search_details" not in client.get("/api/v1/articles/").json()


@pytest.mark.django_db
def test_the_snippets_mark_the_mentions_of_the_concepts_the_words_named(collection, client):
    # PMID 34090881's abstract names an NSTEMI, which "heart attack" found through MeSH's tree.
    page = client.get("/", {"term": "heart attack"}).content.decode()

    assert "<mark>NSTEMI</mark>" in page
    assert "<mark>ST</mark>-<mark>elevation</mark> <mark>myocardial</mark>" in page
