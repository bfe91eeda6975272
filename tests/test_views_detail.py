"""The article page at /<pmid>/: real PubMed records in, PubMed's abstract page out."""

import gzip
import re
from pathlib import Path

import pytest
from django.urls import reverse

from articles.ingest.files import ingest_files, ingest_records
from articles.models import Article, Author, DeletedCitation
from articles.pubmed import records as r

FIXTURES = Path(__file__).parent / "fixtures"

# Article (with journal and the e-location subquery), authors, affiliations, abstract,
# MeSH headings, their qualifiers, publication types, supplementary concepts, substances,
# keywords, grants, identifiers, references, comments/corrections, article concepts (the
# case-facts panel; its CaseFacts row comes with the article). A record with no authors
# or no MeSH headings skips the nested query (affiliations, qualifiers) and uses one fewer.
# 15 for the record, 1 for curators' corrections, 16 for the exported record the Cite box
# renders (articles.exports.records.article_to_dict, as the citation files read it).
DETAIL_QUERIES = 32
# Beyond the record (articles.browse.article_page.related): the citing PMIDs always; with concepts,
# the articles sharing them; with any similar or citing article, their rows and first authors.
# One more where the text names concepts the record's MeSH does not: their descriptors' names.
RELATED_QUERIES = {"no concepts": 1, "similar articles": 5}


def ingest(*names: str) -> None:
    stats = ingest_files([FIXTURES / name for name in names])
    assert stats.failed == 0, stats.problems


def withdraw(*pmids: int) -> None:
    ingest_records([r.Deletion(pmids=pmids)], source="pubmed26n0001.xml.gz")


def page(client, pmid: int) -> str:
    response = client.get(reverse("articles:detail", kwargs={"pmid": pmid}))
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}".*?</section>', html)
    assert match, f"no section {section_id}"
    return match.group(0)


def items(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li[^>]*>(.*?)</li>", html)
    ]


@pytest.mark.django_db
def test_it_shows_the_citation_line_title_and_identifiers(client):
    ingest("hawc_structured_abstract_21813367.xml")

    html = page(client, 21813367)

    assert (
        "Environ Health Perspect. 2011 Dec;119(12):1760-5.</span> doi: "
        '<a href="https://doi.org/10.1289/ehp.1103729">10.1289/ehp.1103729</a>. Epub 2011 Aug 3.'
    ) in html
    assert (
        '<h1 id="article-title" class="article-title">Retrospective exposure estimation and '
        "predicted versus observed serum perfluorooctanoic acid concentrations for participants "
        "in the C8 Health Project.</h1>"
    ) in html
    assert "<dt>PMID:</dt> <dd>21813367</dd>" in html
    assert 'href="https://www.ncbi.nlm.nih.gov/pmc/articles/PMC3261988/">PMC3261988</a>' in html
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/21813367/">This record on PubMed</a>' in html


@pytest.mark.django_db
def test_it_labels_the_sections_of_a_structured_abstract(client):
    ingest("hawc_structured_abstract_21813367.xml")

    abstract = section(page(client, 21813367), "abstract")

    assert re.findall(r'<strong class="abstract__label">([^<]+)</strong>', abstract) == [
        "Background:",
        "Objectives:",
        "Methods:",
        "Results:",
        "Conclusions:",
    ]
    assert (
        '<strong class="abstract__label">Background:</strong> People living or working in '
        "eastern Ohio and western West Virginia have been exposed to perfluorooctanoic acid "
        "(PFOA) released by DuPont Washington Works facilities.</p>"
    ) in abstract


@pytest.mark.django_db
def test_it_keeps_the_inline_markup_of_an_abstract(client):
    ingest("hawc_abstract_markup_29186030.xml")

    abstract = section(page(client, 29186030), "abstract")

    assert "<i>Laodelphax striatellus</i>" in abstract


@pytest.mark.django_db
def test_it_numbers_affiliations_like_pubmed(client):
    ingest("hawc_abstract_markup_29186030.xml")

    html = page(client, 29186030)

    authors = re.findall(
        r'<span class="author__name">([^<]+)</span>'
        r'(?:<sup class="author__affiliations">(.*?)</sup>)?',
        html,
    )
    assert [(name, re.findall(r">(\d+)</a>", sup)) for name, sup in authors] == [
        ("Mohammed Esmail Abdalla Elzaki", ["1", "2"]),
        ("Mohammad Asaduzzaman Miah", ["3"]),
        ("Zhaojun Han", ["4"]),
    ]
    listed = re.findall(r'<li id="affiliation-(\d)">([^<]+)</li>', html)
    assert [number for number, _ in listed] == ["1", "2", "3", "4"]
    assert listed[1][1] == (
        "College of Crop Science, Fujian Agriculture and Forestry University, "
        "Fuzhou 350002, China. mohammedelzaki@njau.edu.cn."
    )
    assert listed[3][1].endswith("Nanjing 210095, China. zjhan@njau.edu.cn.")


@pytest.mark.django_db
def test_it_gives_a_shared_affiliation_one_number(client):
    ingest("hawc_259_records.xml.gz")

    html = page(client, 39180124)

    sups = dict(
        re.findall(
            r'<span class="author__name">([^<]+)</span>'
            r'<sup class="author__affiliations">(.*?)</sup>',
            html,
        )
    )
    assert 'aria-label="Affiliation 4">4</a>' in sups["Henri Sales"]
    assert 'aria-label="Affiliation 4">4</a>' in sups["Ryoko Harada"]
    assert len(re.findall(r'<li id="affiliation-\d+">', html)) == 5


@pytest.mark.django_db
def test_it_links_orcid_records(client):
    ingest("hawc_259_records.xml.gz")

    html = page(client, 39180124)

    assert (
        '<a class="orcid" href="https://orcid.org/0000-0002-8191-8934" '
        'aria-label="ORCID record of Miyuki Shigano">iD</a>'
    ) in html


@pytest.mark.django_db
def test_it_shows_a_collective_author(client):
    ingest("hawc_collective_author_21860499.xml")

    html = page(client, 21860499)

    assert '<span class="author__name">National Toxicology Program</span>' in html
    assert "Rep Carcinog. 2011;12:296-7." in html


@pytest.mark.django_db
def test_it_marks_authors_who_contributed_equally(client):
    ingest("pubmed21n1298_excerpt_34.xml.gz")
    equal = Author.objects.filter(article_id=33970148, equal_contrib=True)
    assert equal.count() >= 2

    html = page(client, 33970148)

    for author in equal:
        assert f'<span class="author__name">{author.display_name}</span>' in html.replace(
            "&#x27;", "'"
        )
    assert html.count('<sup class="author__equal" title="Contributed equally">#</sup>') == (
        equal.count()
    )
    assert "<sup>#</sup> Contributed equally." in html


@pytest.mark.django_db
def test_it_lists_investigators_apart_from_authors(client):
    ingest("pubmed21n1298_excerpt_34.xml.gz")

    html = page(client, 33675745)

    assert items(section(html, "investigators")) == [
        "Diana G Lerner",
        "Matjaž Homan",
        "Karen F Murray",
    ]
    byline = re.search(r'<ul class="authors">.*?</ul>', html).group(0)
    assert "Lerner" not in byline


@pytest.mark.django_db
def test_it_lists_mesh_terms_with_qualifiers_and_major_topics(client):
    ingest("hawc_structured_abstract_21813367.xml")

    terms = items(section(page(client, 21813367), "mesh-terms"))

    assert terms[:5] == [
        "Caprylates / blood*",
        "Drinking Water / analysis",
        "Environmental Exposure / statistics &amp; numerical data*",
        "Environmental Monitoring / methods",
        "Environmental Monitoring / statistics &amp; numerical data*",
    ]
    assert "Female" in terms
    assert "Models, Theoretical*" in terms
    assert "West Virginia" in terms


@pytest.mark.django_db
def test_it_shows_publication_types_substances_and_grants(client):
    ingest("hawc_259_records.xml.gz")

    html = page(client, 38833407)

    assert items(section(html, "publication-types")) == ["Journal Article"]
    substances = items(section(html, "substances"))
    assert [re.sub(r" \(.*\)$", "", name) for name in substances] == [
        "Lead",
        "Diethylhexyl Phthalate",
        "Environmental Pollutants",
        "Phthalic Acids",
    ]
    assert items(section(html, "grants"))[:2] == [
        "K01 ES032048/ES/NIEHS NIH HHS/United States",
        "K99 HD112543/HD/NICHD NIH HHS/United States",
    ]


@pytest.mark.django_db
def test_it_lists_keywords_under_the_abstract(client):
    ingest("hawc_259_records.xml.gz")

    abstract = section(page(client, 39180124), "abstract")

    assert (
        "<strong>Keywords:</strong> Carcinogen; In vivo; Liver; Micronucleus; Phthalate; Rats."
        in abstract
    )


@pytest.mark.django_db
def test_it_numbers_references_and_links_them_to_pubmed(client):
    ingest("hawc_structured_abstract_21813367.xml")

    references = section(page(client, 21813367), "references")

    assert references.count("<li>") == 38
    first = re.search(r"<li>(.*?)</li>", references).group(1)
    assert first.startswith(
        " Abdellatif AG, Preat V, Taper HS, Roberfroid M. The modulation of rat liver "
        "carcinogenesis by perfluorooctanoic acid, a peroxisome proliferator."
    )
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/1684073/">PubMed' in first
    # A reference with no PubMed id (a dissertation) is plain text.
    third = re.findall(r"<li>(.*?)</li>", references)[2]
    assert "Statistical Methods for Non-Steady-State Exposure Estimation" in third
    assert "<a " not in third


@pytest.mark.django_db
def test_it_links_a_reference_locally_when_the_cited_article_is_stored(client):
    ingest("hawc_259_records.xml.gz")

    references = section(page(client, 39180124), "references")

    assert '<a href="/10581215/">In Casebook' in references
    assert "https://pubmed.ncbi.nlm.nih.gov/10581215/" not in references


@pytest.mark.django_db
def test_it_links_a_withdrawn_cited_article_to_pubmed_instead(client):
    ingest("hawc_259_records.xml.gz")
    withdraw(10581215)

    references = section(page(client, 39180124), "references")

    assert 'href="/10581215/"' not in references
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/10581215/">PubMed' in references


@pytest.mark.django_db
def test_it_warns_of_a_retraction_and_links_the_local_notice(client):
    ingest("pubmed21n1298_excerpt_34.xml.gz")

    html = page(client, 27602157)

    notice = re.search(r'<div class="notice".*?</div>', html).group(0)
    assert "This article has been retracted." in notice
    assert '<a href="/34093767/">Retraction notice</a>: Oncol Lett. 2021 Jul;22(1):545' in notice
    assert html.index('class="notice"') < html.index('id="article-title"')


@pytest.mark.django_db
def test_it_links_the_notice_to_pubmed_when_it_is_not_stored(client):
    ingest("pubmed21n1298_excerpt_34.xml.gz")
    withdraw(34093767)

    notice = re.search(r'<div class="notice".*?</div>', page(client, 27602157)).group(0)

    assert (
        '<a href="https://pubmed.ncbi.nlm.nih.gov/34093767/">Retraction notice on PubMed</a>'
    ) in notice


@pytest.mark.django_db
def test_it_warns_of_an_expression_of_concern(client):
    ingest("pubmed21n1298_excerpt_34.xml.gz")

    notice = re.search(r'<div class="notice".*?</div>', page(client, 32090497)).group(0)

    assert "An expression of concern has been published about this article." in notice
    assert '<a href="/34096680/">Expression of concern notice</a>' in notice


@pytest.mark.django_db
def test_it_mentions_an_erratum_without_a_pmid(client):
    ingest("hawc_structured_abstract_21813367.xml")

    html = page(client, 21813367)

    notice = re.search(r'<div class="notice".*?</div>', html).group(0)
    assert "An erratum has been published for this article." in notice
    assert "Erratum: Environ Health Perspect.2013 Apr;121(4):A113" in notice
    assert "Erratum in" in section(html, "comments-corrections")


@pytest.mark.django_db
def test_it_has_no_banner_for_an_article_in_good_standing(client):
    ingest("hawc_abstract_markup_29186030.xml")

    assert 'class="notice"' not in page(client, 29186030)


@pytest.mark.django_db
def test_it_shows_a_book_chapter_with_its_book_and_editors(client):
    ingest("hawc_book_chapter_20301382.xml")

    html = page(client, 20301382)

    book = re.search(r'<div class="book">.*?</div>', html).group(0)
    assert "In: Adam MP, Feldman J, Mirzaa GM, Pagon RA, Wallace SE, Bean LJH, Gripp KW" in book
    assert "editors." in book
    assert '<cite class="book__title">GeneReviews®</cite> [Internet].' in book
    assert "Seattle (WA): University of Washington, Seattle; 1993." in book
    assert "Single Large-Scale Mitochondrial DNA Deletion Syndromes</h1>" in html
    assert '<span class="author__name">Amy Goldstein</span>' in html


@pytest.mark.django_db
def test_it_shows_the_vernacular_title(client):
    ingest("hawc_doi_vernacular_21813142.xml")

    html = page(client, 21813142)

    assert (
        '<p class="article-vernacular" lang="es">Pacientes quirúrgicos ingresados: asistencia '
        "compartida con Medicina Interna.</p>"
    ) in html


@pytest.mark.django_db
def test_it_shows_other_abstracts_in_their_language(client):
    ingest("pubmed21n1298_excerpt_34.xml.gz")

    html = page(client, 34096929)

    other = re.search(r'<section class="abstract abstract--other".*?</section>', html).group(0)
    assert other.startswith('<section class="abstract abstract--other" lang="nl"')
    assert '<h3 lang="en">Other abstract (Dutch)</h3>' in other
    assert "De huidige therapieën tegen drogemondklachten kennen een aantal bezwaren" in other


@pytest.mark.django_db
def test_it_answers_410_gone_for_a_withdrawn_article(client):
    ingest("hawc_structured_abstract_21813367.xml")
    withdraw(21813367)

    response = client.get("/21813367/")

    assert response.status_code == 410
    html = response.content.decode()
    assert "This record has been withdrawn" in html
    assert "withdrew PMID 21813367 from PubMed" in html
    assert "Retrospective exposure estimation" not in html


@pytest.mark.django_db
def test_it_answers_410_for_a_withdrawn_pmid_never_stored(client):
    ingest("pubmed21n1298_excerpt_34.xml.gz")
    tombstone = DeletedCitation.objects.order_by("pmid").first()
    assert not Article.objects.filter(pmid=tombstone.pmid).exists()

    assert client.get(f"/{tombstone.pmid}/").status_code == 410


@pytest.mark.django_db
def test_it_answers_404_for_an_unknown_pmid(client):
    assert client.get("/99999999/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pmid", "related"),
    [
        # 3 authors, 4 affiliations, 7 MeSH headings, 31 references; its text's concepts
        # are shared by other HAWC records
        (29186030, "similar articles"),
        # 20 authors, 18 MeSH headings, 20 qualifiers
        (20307648, "similar articles"),
        # 5 authors, 15 MeSH headings, 38 references, an erratum
        (21813367, "no concepts"),
    ],
)
def test_it_uses_a_fixed_number_of_queries(client, pmid, related, django_assert_num_queries):
    ingest(
        "hawc_259_records.xml.gz",
        "hawc_abstract_markup_29186030.xml",
        "hawc_structured_abstract_21813367.xml",
    )

    with django_assert_num_queries(DETAIL_QUERIES + RELATED_QUERIES[related]):
        page(client, pmid)


@pytest.mark.django_db
def test_a_thousand_authors_cost_no_extra_query(client, django_assert_max_num_queries):
    ingest("hawc_259_records.xml.gz")
    assert Author.objects.filter(article_id=27454254).count() == 1004
    url = reverse("articles:detail", kwargs={"pmid": 27454254})

    with django_assert_max_num_queries(DETAIL_QUERIES + max(RELATED_QUERIES.values())):
        html = client.get(url, {"authors": "all"}).content.decode()

    assert html.count('<li class="author">') == 1004
    assert "Show all" not in html


@pytest.mark.django_db
def test_a_long_author_list_shows_its_first_25_and_a_link_to_all(client):
    ingest("hawc_259_records.xml.gz")

    html = page(client, 27454254)  # 1,004 authors

    assert html.count('<li class="author">') == 25
    assert (
        '<li class="authors__more"><a href="?authors=all#authors">Show all 1,004 authors</a></li>'
    ) in html


@pytest.mark.django_db
def test_20000_authors_render_as_25(client, tmp_path):
    # PMID 21813367's five authors, written 4,000 times: 20,000, as a hostile or broken
    # record could have them.
    xml = (FIXTURES / "hawc_structured_abstract_21813367.xml").read_text(encoding="utf-8")
    authors = re.search(r'<AuthorList CompleteYN="Y">(.*?)</AuthorList>', xml, flags=re.S)[1]
    (tmp_path / "authors_20000.xml").write_text(xml.replace(authors, authors * 4000))
    stats = ingest_files([tmp_path / "authors_20000.xml"])
    assert stats.failed == 0, stats.problems
    assert Author.objects.filter(article_id=21813367).count() == 20000

    html = page(client, 21813367)

    assert html.count('<li class="author">') == 25
    assert html.count('class="author__name"') == 25
    assert "Show all 20,000 authors" in html
    assert 'class="cite__list"' not in html  # the Cite box waits for a style to be chosen
    # The 25 shown: the five names five times; only their affiliation is numbered.
    assert html.count('<span class="author__name">Hyeong-Moo Shin</span>') == 5
    assert html.count('id="affiliation-') == 1


@pytest.mark.django_db
def test_a_long_investigator_list_shows_its_first_25_and_a_link_to_all(client, tmp_path):
    # PMID 33675745's three investigators, written ten times: 30.
    with gzip.open(FIXTURES / "pubmed21n1298_excerpt_34.xml.gz", "rt", encoding="utf-8") as f:
        xml = f.read()
    listed = re.search(r"<InvestigatorList>(.*?)</InvestigatorList>", xml, flags=re.S)[1]
    (tmp_path / "investigators_30.xml").write_text(xml.replace(listed, listed * 10))
    stats = ingest_files([tmp_path / "investigators_30.xml"])
    assert stats.failed == 0, stats.problems
    url = reverse("articles:detail", kwargs={"pmid": 33675745})

    shown = section(page(client, 33675745), "investigators")
    every_page = re.sub(r"\s+", " ", client.get(url, {"authors": "all"}).content.decode())
    every = section(every_page, "investigators")

    assert len(items(shown)) == 25
    assert items(shown)[:4] == [
        "Diana G Lerner",
        "Matjaž Homan",
        "Karen F Murray",
        "Diana G Lerner",
    ]
    assert '<a href="?authors=all#investigators">Show all 30 investigators</a>' in shown
    assert len(items(every)) == 30
    assert "Show all" not in every


@pytest.mark.django_db
def test_it_escapes_markup_in_every_field_but_the_sanitised_ones(client, tmp_path):
    source = (FIXTURES / "hawc_abstract_markup_29186030.xml").read_text(encoding="utf-8")
    hostile = source.replace("<LastName>Elzaki</LastName>", "<LastName>&lt;b&gt;Elzaki</LastName>")
    hostile = re.sub(
        r"<ArticleTitle>.*?</ArticleTitle>",
        "<ArticleTitle>&lt;script&gt;alert(1)&lt;/script&gt;Buprofezin</ArticleTitle>",
        hostile,
        flags=re.S,
    )
    hostile = hostile.replace(
        "<Affiliation>College of Crop Science",
        "<Affiliation>&lt;script&gt;alert(2)&lt;/script&gt;College of Crop Science",
    )
    path = tmp_path / "hostile.xml"
    path.write_text(hostile, encoding="utf-8")
    ingest_files([path])

    html = page(client, 29186030)

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Buprofezin</h1>" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;College of Crop Science" in html
    assert "Mohammed Esmail Abdalla &lt;b&gt;Elzaki" in html
