"""Formatted citations (articles/exports/cite.py): citeproc-py and the shipped CSL styles, on real
PubMed records (tests/fixtures/README.md), and the Cite boxes of the article page and basket."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from articles.curation import actions as curation
from articles.exports import cite
from articles.exports.records import iter_export
from articles.ingest.files import ingest_files
from articles.models import Article

FIXTURES = Path(__file__).parent / "fixtures"
FILES = (
    "hawc_structured_abstract_21813367.xml",
    "hawc_book_chapter_20301382.xml",
    "pubmed20n0014_browse_52.xml.gz",
    "pubmed20n0014_excerpt_23.xml.gz",
    "pubmed21n1298_excerpt_34.xml.gz",
)
STRUCTURED = 21813367
# Like the seed record: a case series of five children treated with a drug, in a journal
# issue dated by a MedlineDate ("1977 Jul-Aug").
SEED_LIKE = 412160
CHAPTER = 20301382
NO_AUTHOR = 34097092  # no author, only the German title
INCOMPLETE_AUTHORS = 400865  # AuthorList CompleteYN="N", ten authors listed

EXPECTED = {
    ("ama", STRUCTURED): (
        "Shin HM, Vieira VM, Ryan PB, Steenland K, Bartell SM. Retrospective exposure "
        "estimation and predicted versus observed serum perfluorooctanoic acid concentrations "
        "for participants in the C8 Health Project. <i>Environ Health Perspect</i>. "
        "2011;119(12):1760-1765. doi:10.1289/ehp.1103729"
    ),
    ("apa", STRUCTURED): (
        "Shin, H.-M., Vieira, V. M., Ryan, P. B., Steenland, K., &amp; Bartell, S. M. (2011). "
        "Retrospective exposure estimation and predicted versus observed serum "
        "perfluorooctanoic acid concentrations for participants in the C8 Health Project. "
        "<i>Environmental Health Perspectives</i>, <i>119</i>(12), 1760–1765. "
        "https://doi.org/10.1289/ehp.1103729"
    ),
    ("nlm", STRUCTURED): (
        "Shin HM, Vieira VM, Ryan PB, Steenland K, Bartell SM. Retrospective exposure "
        "estimation and predicted versus observed serum perfluorooctanoic acid concentrations "
        "for participants in the C8 Health Project. Environ Health Perspect. 2011 "
        "Dec;119(12):1760–5. doi:10.1289/ehp.1103729 PubMed PMID: 21813367; PubMed Central "
        "PMCID: PMC3261988."
    ),
    ("ama", SEED_LIKE): (
        "Siahaan CM, Baratawijaya K. Disodium cromoglycate in five children with intractable "
        "asthma. <i>Paediatr Indones</i>. 1977;17(7-8):213-217. "
        "https://pubmed.ncbi.nlm.nih.gov/412160/"
    ),
    ("apa", SEED_LIKE): (
        "Siahaan, C. M., &amp; Baratawijaya, K. (1977). Disodium cromoglycate in five children "
        "with intractable asthma. <i>Paediatrica Indonesiana</i>, <i>17</i>(7-8), 213–217. "
        "https://pubmed.ncbi.nlm.nih.gov/412160/"
    ),
    ("nlm", SEED_LIKE): (
        "Siahaan CM, Baratawijaya K. Disodium cromoglycate in five children with intractable "
        "asthma. Paediatr Indones. 1977 Jul;17(7-8):213–7. PubMed PMID: 412160."
    ),
    ("ama", CHAPTER): (
        "Goldstein A, Falk MJ. Single Large-Scale Mitochondrial DNA Deletion Syndromes. In: "
        "Adam MP, Feldman J, Mirzaa GM, et al., eds. <i>GeneReviews®</i>. University of "
        "Washington, Seattle; 1993. https://pubmed.ncbi.nlm.nih.gov/20301382/"
    ),
    ("apa", CHAPTER): (
        "Goldstein, A., &amp; Falk, M. J. (1993). Single Large-Scale Mitochondrial DNA Deletion "
        "Syndromes. In M. P. Adam, J. Feldman, G. M. Mirzaa, R. A. Pagon, S. E. Wallace, L. J. "
        "Bean, K. W. Gripp, &amp; A. Amemiya (eds.), <i>GeneReviews®</i>. University of "
        "Washington, Seattle. https://pubmed.ncbi.nlm.nih.gov/20301382/"
    ),
    ("nlm", CHAPTER): (
        "Goldstein A, Falk MJ. Single Large-Scale Mitochondrial DNA Deletion Syndromes. In: "
        "Adam MP, Feldman J, Mirzaa GM, Pagon RA, Wallace SE, Bean LJ, et al., editors. "
        "GeneReviews® [Internet]. Seattle (WA): University of Washington, Seattle; 1993. "
        "Available from: https://pubmed.ncbi.nlm.nih.gov/20301382/ PubMed PMID: 20301382."
    ),
    # The title stands in for the missing author, once (CSL's substitution).
    ("ama", NO_AUTHOR): (
        "Mitteilungen der DGN. <i>Nervenarzt</i>. 2021;92(6):624-639. "
        "doi:10.1007/s00115-021-01146-5"
    ),
    ("apa", NO_AUTHOR): (
        "Mitteilungen der DGN. (2021). <i>Der Nervenarzt</i>, <i>92</i>(6), 624–639. "
        "https://doi.org/10.1007/s00115-021-01146-5"
    ),
    ("nlm", NO_AUTHOR): (
        "Mitteilungen der DGN. Nervenarzt. 2021 Jun;92(6):624–39. "
        "doi:10.1007/s00115-021-01146-5 PubMed PMID: 34097092."
    ),
}


@pytest.fixture
def records(db) -> dict[int, dict]:
    stats = ingest_files([FIXTURES / name for name in FILES])
    assert stats.failed == 0, stats.problems
    return {record["pmid"]: record for record in iter_export(Article.objects.all())}


def one(record: dict, style: str) -> cite.FormattedCitation:
    [citation] = cite.cite([record], cite.STYLES[style])
    return citation


@pytest.mark.parametrize(("style", "pmid"), sorted(EXPECTED))
def test_it_formats_real_records_in_each_style(records, style, pmid):
    citation = one(records[pmid], style)

    assert citation.pmid == pmid
    assert citation.html == EXPECTED[style, pmid]


def test_it_gives_the_plain_text_a_copy_button_copies(records):
    assert one(records[SEED_LIKE], "apa").text == (
        "Siahaan, C. M., & Baratawijaya, K. (1977). Disodium cromoglycate in five children "
        "with intractable asthma. Paediatrica Indonesiana, 17(7-8), 213–217. "
        "https://pubmed.ncbi.nlm.nih.gov/412160/"
    )


def test_it_shortens_an_incomplete_author_list_as_each_style_says_pmid_400865(records):
    record = records[INCOMPLETE_AUTHORS]

    assert one(record, "ama").text.startswith("Lecart C, Claerhout F, Franck R, et al. A new")
    assert one(record, "nlm").text.startswith(
        "Lecart C, Claerhout F, Franck R, Godts P, Lilien C, Macours L, et al. A new"
    )


def test_it_escapes_markup_in_the_record(records):
    record = dict(records[SEED_LIKE], title="<script>alert(1)</script> & asthma.")

    html = one(record, "ama").html

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; asthma." in html


def test_it_keeps_each_citation_in_the_records_order(records):
    pmids = [SEED_LIKE, STRUCTURED, CHAPTER]

    citations = cite.cite([records[p] for p in pmids], cite.STYLES["apa"])

    assert [c.pmid for c in citations] == pmids
    assert [c.html for c in citations] == [EXPECTED["apa", p] for p in pmids]


def test_it_parses_each_style_once_and_renders_a_record_once(records):
    cite._render.cache_clear()

    one(records[STRUCTURED], "nlm")
    one(records[STRUCTURED], "nlm")
    one(dict(records[STRUCTURED], title="Corrected title."), "nlm")

    assert cite._style("nlm") is cite._style("nlm")
    info = cite._render.cache_info()
    assert (info.hits, info.misses) == (1, 2)


@pytest.mark.parametrize(("name", "default"), [("apa", "apa"), ("bogus", "ama"), (None, "ama")])
def test_it_falls_back_on_ama_for_an_unknown_style(name, default):
    assert cite.style_or_default(name).name == default


# Article page and basket ---------------------------------------------------------------------


def cite_box(html: str) -> str:
    start = html.index('<details class="cite"')
    return html[start : html.index("</details>", start)]


def test_the_article_page_cites_in_ama_until_asked_for_another_style(records, client):
    closed = cite_box(client.get(f"/{STRUCTURED}/").content.decode())
    nlm = cite_box(client.get(f"/{STRUCTURED}/?style=nlm").content.decode())

    assert closed.startswith('<details class="cite" id="cite">')
    assert f'<p class="cite__text" id="cite-{STRUCTURED}">{EXPECTED["ama", STRUCTURED]}</p>' in (
        closed
    )
    assert nlm.startswith('<details class="cite" id="cite" open>')
    assert EXPECTED["nlm", STRUCTURED] in nlm
    assert '<option value="nlm" selected>' in nlm


def test_the_article_page_cites_the_corrected_record(records, client):
    curator = get_user_model().objects.create_user("cora", is_staff=True)
    curation.correct(SEED_LIKE, "title", "Cromoglycate in five asthmatic children.", user=curator)

    box = cite_box(client.get(f"/{SEED_LIKE}/?style=apa").content.decode())

    assert "(1977). Cromoglycate in five asthmatic children. <i>Paediatrica" in box
    assert "Disodium cromoglycate" not in box


def test_the_basket_cites_its_articles_in_its_order_once_a_style_is_chosen(records, client):
    client.post("/basket/add/", {"pmid": [CHAPTER, SEED_LIKE, NO_AUTHOR]})

    before = cite_box(client.get("/basket/").content.decode())
    box = cite_box(client.get("/basket/?style=nlm").content.decode())

    assert 'class="cite__text"' not in before
    assert "Show citations" in before
    assert [box.index(EXPECTED["nlm", p]) for p in (CHAPTER, SEED_LIKE, NO_AUTHOR)] == sorted(
        box.index(EXPECTED["nlm", p]) for p in (CHAPTER, SEED_LIKE, NO_AUTHOR)
    )
    assert "Copy all 3" in box
