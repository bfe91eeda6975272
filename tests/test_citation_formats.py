"""Citation files on real PubMed records, each read back by an independent reader: rispy
(RIS), Biopython's Bio.Medline (MEDLINE/.nbib), bibtexparser (BibTeX), the CSL data schema
through jsonschema (CSL-JSON) and the csv module (CSV)."""

import csv
import io
import json
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts
from Bio import Medline

from articles.exports.formats import FORMATS, neutralise_formula, to_csl
from articles.exports.records import iter_export
from articles.ingest.files import ingest_files
from articles.models import Article

FIXTURES = Path(__file__).parent / "fixtures"
FILES = (
    "hawc_collective_author_21860499.xml",
    "hawc_utf8_23878845_16080930.xml",
    "pubmed20n0014_excerpt_23.xml.gz",
    "hawc_structured_abstract_21813367.xml",
    "hawc_book_chapter_20301382.xml",
    "pubmed21n1298_excerpt_34.xml.gz",
)
STRUCTURED = 21813367
COLLECTIVE = 21860499
NON_ASCII = 16080930
MEDLINE_DATE = 399698  # "1979 Nov-1980 May"
CHAPTER = 20301382
GOLDEN = (STRUCTURED, COLLECTIVE, NON_ASCII, MEDLINE_DATE, CHAPTER)
VERNACULAR_ONLY = 34097092  # empty ArticleTitle, VernacularTitle "Mitteilungen der DGN."
VERNACULAR = 34096929  # an English title in brackets and the Dutch one
INCOMPLETE_AUTHORS = 400865  # AuthorList CompleteYN="N"
DOTTED_ISO = 419585  # ISOAbbreviation "Ugeskr. Laeg.", MedlineTA "Ugeskr Laeger"

STRUCTURED_AUTHORS = [
    "Shin, Hyeong-Moo",
    "Vieira, Verónica M",
    "Ryan, P Barry",
    "Steenland, Kyle",
    "Bartell, Scott M",
]
GENEREVIEWS_EDITORS = [
    "Adam, Margaret P",
    "Feldman, Jerry",
    "Mirzaa, Ghayda M",
    "Pagon, Roberta A",
    "Wallace, Stephanie E",
    "Bean, Lora JH",
    "Gripp, Karen W",
    "Amemiya, Anne",
]


@pytest.fixture
def records() -> dict[int, dict]:
    stats = ingest_files([FIXTURES / name for name in FILES])
    assert stats.failed == 0, stats.problems
    return {record["pmid"]: record for record in iter_export(Article.objects.all())}


def write(name: str, records: dict[int, dict], *pmids: int) -> str:
    return FORMATS[name].text(records[pmid] for pmid in pmids)


def structured_abstract(record: dict) -> str:
    return " ".join(f"{s['label']}: {' '.join(s['text'].split())}" for s in record["abstract"])


# RIS ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_writes_ris_rispy_reads_field_by_field(records):
    [entry] = rispy.loads(write("ris", records, STRUCTURED))

    assert entry["type_of_reference"] == "JOUR"
    assert entry["authors"] == STRUCTURED_AUTHORS
    assert entry["title"] == (
        "Retrospective exposure estimation and predicted versus observed serum "
        "perfluorooctanoic acid concentrations for participants in the C8 Health Project."
    )
    assert entry["secondary_title"] == "Environmental health perspectives"
    assert entry["alternate_title1"] == "Environ Health Perspect"
    assert (entry["year"], entry["date"]) == ("2011", "2011/12//")
    assert (entry["volume"], entry["number"]) == ("119", "12")
    assert (entry["start_page"], entry["end_page"]) == ("1760", "1765")
    assert entry["issn"] == "1552-9924"
    assert entry["doi"] == "10.1289/ehp.1103729"
    assert entry["abstract"] == structured_abstract(records[STRUCTURED])
    assert entry["abstract"].startswith("BACKGROUND: People living or working in eastern Ohio")
    assert "Environmental Exposure/*statistics & numerical data" in entry["keywords"]
    assert entry["language"] == "eng"
    assert (entry["accession_number"], entry["name_of_database"]) == ("21813367", "PubMed")
    assert entry["custom2"] == "PMC3261988"
    assert entry["urls"] == ["https://pubmed.ncbi.nlm.nih.gov/21813367/"]


@pytest.mark.django_db
def test_it_writes_ris_for_collective_non_ascii_medline_date_and_chapter(records):
    entries = {
        int(e["accession_number"]): e
        for e in rispy.loads(write("ris", records, COLLECTIVE, NON_ASCII, MEDLINE_DATE, CHAPTER))
    }

    assert entries[COLLECTIVE]["authors"] == ["National Toxicology Program"]
    assert entries[NON_ASCII]["authors"] == [
        "González-Reyes, Salomé",
        "Martínez, Leopoldo",
        "Tovar, Juan A",
    ]
    assert entries[MEDLINE_DATE]["year"] == "1979"
    assert entries[MEDLINE_DATE]["date"] == "1979/11//1979 Nov-1980 May"
    chapter = entries[CHAPTER]
    assert chapter["type_of_reference"] == "CHAP"
    assert chapter["title"] == "Single Large-Scale Mitochondrial DNA Deletion Syndromes"
    assert chapter["secondary_title"] == "GeneReviews®"
    assert chapter["authors"] == ["Goldstein, Amy", "Falk, Marni J"]
    assert chapter["secondary_authors"] == GENEREVIEWS_EDITORS
    assert chapter["publisher"] == "University of Washington, Seattle"
    assert chapter["place_published"] == "Seattle (WA)"


@pytest.mark.django_db
def test_it_ends_every_ris_record_and_line_as_the_spec_says(records):
    text = write("ris", records, *GOLDEN)

    assert text.count("TY  - ") == 5
    assert text.count("ER  - \r\n") == 5
    assert all(line[2:6] == "  - " for line in text.split("\r\n")[:-1])


# MEDLINE (.nbib) ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_writes_medline_biopython_reads_field_by_field(records):
    [entry] = Medline.parse(io.StringIO(write("nbib", records, STRUCTURED)))

    assert entry["PMID"] == "21813367"
    assert (entry["OWN"], entry["STAT"]) == ("NLM", "MEDLINE")
    assert (entry["DCOM"], entry["LR"]) == ("20120327", "20211020")
    # Bio.Medline joins repeated single-value tags with a space.
    assert entry["IS"] == "1552-9924 (Electronic) 0091-6765 (Linking)"
    assert (entry["VI"], entry["IP"], entry["DP"]) == ("119", "12", "2011 Dec")
    assert entry["PG"] == "1760-5"
    assert entry["LID"] == "10.1289/ehp.1103729 [doi]"
    assert entry["AB"] == structured_abstract(records[STRUCTURED])
    assert entry["FAU"] == STRUCTURED_AUTHORS
    assert entry["AU"] == ["Shin HM", "Vieira VM", "Ryan PB", "Steenland K", "Bartell SM"]
    assert entry["AD"] == [
        "School of Social Ecology, University of California, Irvine, California 95616, USA. "
        "hmshin@ucdavis.edu"
    ]
    assert entry["PT"] == [
        "Journal Article",
        "Research Support, Non-U.S. Gov't",
        "Validation Study",
    ]
    assert entry["DEP"] == "20110803"
    assert (entry["TA"], entry["JT"], entry["JID"]) == (
        "Environ Health Perspect",
        "Environmental health perspectives",
        "0330411",
    )
    assert entry["MH"][0] == "Caprylates/*blood"
    assert "Environmental Exposure/*statistics & numerical data" in entry["MH"]
    assert entry["PMC"] == "PMC3261988"
    assert entry["AID"] == ["PMC3261988 [pmc]", "10.1289/ehp.1103729 [doi]"]
    assert entry["SO"] == (
        "Environ Health Perspect. 2011 Dec;119(12):1760-5. doi: 10.1289/ehp.1103729. "
        "Epub 2011 Aug 3."
    )


@pytest.mark.django_db
def test_it_writes_medline_for_collective_non_ascii_medline_date_and_chapter(records):
    entries = {
        int(e["PMID"]): e
        for e in Medline.parse(
            io.StringIO(write("nbib", records, COLLECTIVE, NON_ASCII, MEDLINE_DATE, CHAPTER))
        )
    }

    assert entries[COLLECTIVE]["CN"] == ["National Toxicology Program"]
    assert "AU" not in entries[COLLECTIVE]
    assert entries[NON_ASCII]["FAU"][0] == "González-Reyes, Salomé"
    assert entries[NON_ASCII]["AU"] == ["González-Reyes S", "Martínez L", "Tovar JA"]
    assert entries[MEDLINE_DATE]["DP"] == "1979 Nov-1980 May"
    assert entries[MEDLINE_DATE]["SO"] == "Rev Odontol P R. 1979 Nov-1980 May;17(1):28-35."
    chapter = entries[CHAPTER]
    assert chapter["TI"] == "Single Large-Scale Mitochondrial DNA Deletion Syndromes"
    assert chapter["BTI"] == ["GeneReviews®"]
    assert chapter["FED"] == GENEREVIEWS_EDITORS
    assert chapter["SO"] == "Seattle (WA): University of Washington, Seattle; 1993."


@pytest.mark.django_db
def test_it_lays_medline_out_in_pubmed_columns(records):
    text = write("nbib", records, *GOLDEN)
    blocks = text.split("\n\n")

    assert len(blocks) == 5
    assert [block.split("\n", 1)[0] for block in blocks] == [f"PMID- {pmid}" for pmid in GOLDEN]
    for line in text.splitlines():
        if line:
            assert line[4:6] == "- " or (line.startswith(" " * 6) and line[6] != " "), line
            assert len(line) <= 88 or " " not in line[6:], line
    # The abstract of the structured record wraps onto continuation lines.
    assert "\n      " in blocks[0]


@pytest.mark.django_db
def test_it_writes_the_medline_source_with_nlm_s_abbreviation_pmid_419585(records):
    [entry] = Medline.parse(io.StringIO(write("nbib", records, DOTTED_ISO)))

    assert records[DOTTED_ISO]["journal"]["iso_abbreviation"] == "Ugeskr. Laeg."
    assert entry["TA"] == "Ugeskr Laeger"
    assert entry["SO"] == "Ugeskr Laeger. 1979 Feb 5;141(6):383."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pmid", "tag", "value"),
    [
        # The erratum notice of 21813367 gives no PMID; PubMed prints the source as written.
        (STRUCTURED, "EIN", "Environ Health Perspect.2013 Apr;121(4):A113"),
        (31294756, "EFR", "JAMA Oncol. 2019 Apr 25;:null PMID: 31021392"),
        (27602157, "RIN", "Oncol Lett. 2021 Jul;22(1):545 PMID: 34093767"),
        (34093767, "ROF", "Oncol Lett. 2016 Sep;12(3):2163-2168 PMID: 27602157"),
        (30271887, "CON", "Wellcome Open Res. 2018 Feb 12;3:10 PMID: 29744390"),
        (32090497, "ECI", "Int Wound J. 2021 Jun 7;: PMID: 34096680"),
        (34096680, "ECF", "Int Wound J. 2020 Jun;17(3):735-741 PMID: 32090497"),
    ],
)
def test_it_writes_comments_and_corrections_in_medline(records, pmid, tag, value):
    [entry] = Medline.parse(io.StringIO(write("nbib", records, pmid)))

    assert entry[tag] == [value]


@pytest.mark.django_db
def test_it_writes_history_dates_as_pubmed_does_pmid_21813367(records):
    [entry] = Medline.parse(io.StringIO(write("nbib", records, STRUCTURED)))

    assert (entry["EDAT"], entry["MHDA"], entry["CRDT"]) == (
        "2011/08/05 06:00",
        "2012/03/28 06:00",
        ["2011/08/05 06:00"],
    )
    assert entry["PMCR"] == ["2011/08/03"]
    assert entry["PHST"] == [
        "2011/03/25 00:00 [received]",
        "2011/08/03 00:00 [accepted]",
        "2011/08/05 06:00 [entrez]",
        "2011/08/05 06:00 [pubmed]",
        "2012/03/28 06:00 [medline]",
        "2011/08/03 00:00 [pmc-release]",
    ]


@pytest.mark.django_db
def test_it_orders_medline_tags_as_pubmed_does_pmid_21813367(records):
    text = write("nbib", records, STRUCTURED)
    tags = list(dict.fromkeys(line[:4].strip() for line in text.splitlines() if line[4:6] == "- "))

    assert tags == [
        "PMID", "OWN", "STAT", "DCOM", "LR", "IS", "VI", "IP", "DP", "TI", "PG", "LID", "AB",
        "FAU", "AU", "AD", "LA", "PT", "DEP", "PL", "TA", "JT", "JID", "RN", "SB", "EIN", "MH",
        "PMC", "COIS", "EDAT", "MHDA", "PMCR", "CRDT", "PHST", "AID", "PST", "SO",
    ]  # fmt: skip


# BibTeX ------------------------------------------------------------------------------------


def parse_bibtex(text: str) -> dict[str, dict]:
    library = bibtexparser.parse_string(
        text, append_middleware=[LatexDecodingMiddleware(), SeparateCoAuthors()]
    )
    assert library.failed_blocks == []
    return {entry.key: entry for entry in library.entries}


@pytest.mark.django_db
def test_it_writes_bibtex_bibtexparser_reads_field_by_field(records):
    entry = parse_bibtex(write("bibtex", records, STRUCTURED))["pmid21813367"]

    assert entry.entry_type == "article"
    assert entry["author"] == STRUCTURED_AUTHORS
    assert entry["journal"] == "Environmental health perspectives"
    assert (entry["year"], entry["month"]) == ("2011", "dec")
    assert (entry["volume"], entry["number"]) == ("119", "12")
    assert entry["pages"] == "1760–1765"  # "--" is LaTeX's en dash
    assert entry["doi"] == "10.1289/ehp.1103729"
    assert (entry["eprint"], entry["eprinttype"]) == ("21813367", "pubmed")
    assert entry["pmcid"] == "PMC3261988"
    assert entry["abstract"] == structured_abstract(records[STRUCTURED])
    assert "Environmental Exposure/*statistics & numerical data" in entry["keywords"]


@pytest.mark.django_db
def test_it_escapes_latex_in_text_fields_but_not_in_dois(records):
    text = write("bibtex", records, STRUCTURED, NON_ASCII)

    assert r"statistics \& numerical data" in text
    assert "doi = {10.1016/j.jpedsurg.2005.05.009}" in text
    assert "url = {https://pubmed.ncbi.nlm.nih.gov/16080930/}" in text
    assert "pages = {1760--1765}" in text


@pytest.mark.django_db
def test_it_braces_a_collective_author_so_bibtex_keeps_the_name_whole(records):
    text = write("bibtex", records, COLLECTIVE)
    library = bibtexparser.parse_string(
        text, append_middleware=[SeparateCoAuthors(), SplitNameParts()]
    )
    [name] = library.entries[0]["author"]

    assert "author = {{National Toxicology Program}}" in text
    assert (name.last, name.first) == (["{National Toxicology Program}"], [])


@pytest.mark.django_db
def test_it_writes_bibtex_for_collective_non_ascii_medline_date_and_chapter(records):
    entries = parse_bibtex(write("bibtex", records, COLLECTIVE, NON_ASCII, MEDLINE_DATE, CHAPTER))

    assert entries["pmid21860499"]["author"] == ["National Toxicology Program"]
    assert entries["pmid16080930"]["author"][0] == "González-Reyes, Salomé"
    assert (entries["pmid399698"]["year"], entries["pmid399698"]["month"]) == ("1979", "nov")
    chapter = entries["pmid20301382"]
    assert chapter.entry_type == "incollection"
    assert chapter["booktitle"] == "GeneReviews®"
    assert chapter["editor"] == GENEREVIEWS_EDITORS
    assert chapter["publisher"] == "University of Washington, Seattle"
    assert chapter["address"] == "Seattle (WA)"


@pytest.mark.django_db
def test_it_braces_capitalised_words_of_bibtex_titles_so_styles_keep_them(records):
    text = write("bibtex", records, STRUCTURED, CHAPTER)
    raw = {e.key: e for e in bibtexparser.parse_string(text).entries}
    decoded = parse_bibtex(text)

    assert raw["pmid21813367"]["title"] == (
        "Retrospective exposure estimation and predicted versus observed serum "
        "perfluorooctanoic acid concentrations for participants in the {C8} {Health} "
        "{Project.}"
    )
    assert raw["pmid20301382"]["title"] == (
        "Single {Large-Scale} {Mitochondrial} {DNA} {Deletion} {Syndromes}"
    )
    assert decoded["pmid20301382"]["title"] == (
        "Single Large-Scale Mitochondrial DNA Deletion Syndromes"
    )


@pytest.mark.django_db
def test_it_ends_an_incomplete_bibtex_author_list_with_and_others_pmid_400865(records):
    entry = parse_bibtex(write("bibtex", records, INCOMPLETE_AUTHORS, STRUCTURED))

    assert records[INCOMPLETE_AUTHORS]["authors_complete"] is False
    assert entry["pmid400865"]["author"][-1] == "others"
    assert entry["pmid21813367"]["author"] == STRUCTURED_AUTHORS


# CSL-JSON ----------------------------------------------------------------------------------


def csl_validator() -> jsonschema.protocols.Validator:
    # The CSL data schema is draft 3 and names its date and name definitions by "id";
    # jsonschema resolves those inside the document, without the network.
    schema = json.loads((FIXTURES / "csl-data.json").read_text())
    return jsonschema.Draft3Validator(schema)


@pytest.mark.django_db
def test_it_writes_csl_json_the_csl_schema_accepts(records):
    items = json.loads(write("csl-json", records, *GOLDEN))

    csl_validator().validate(items)
    assert [item["id"] for item in items] == [f"pmid{pmid}" for pmid in GOLDEN]


@pytest.mark.django_db
def test_the_csl_schema_rejects_what_it_should():
    validator = csl_validator()

    assert not validator.is_valid([{"id": "x", "type": "journal-article"}])
    assert not validator.is_valid([{"id": "x", "type": "article", "issued": {"year": 2011}}])


@pytest.mark.django_db
def test_it_writes_csl_json_field_by_field(records):
    items = {item["PMID"]: item for item in json.loads(write("csl-json", records, *GOLDEN))}

    article = items["21813367"]
    assert article["type"] == "article-journal"
    assert article["author"][1] == {"family": "Vieira", "given": "Verónica M"}
    assert article["container-title"] == "Environmental health perspectives"
    assert article["container-title-short"] == "Environ Health Perspect"
    assert article["issued"] == {"date-parts": [[2011, 12]]}
    assert (article["volume"], article["issue"], article["page"]) == ("119", "12", "1760-1765")
    assert (article["DOI"], article["PMCID"]) == ("10.1289/ehp.1103729", "PMC3261988")
    assert items["21860499"]["author"] == [{"literal": "National Toxicology Program"}]
    assert items["399698"]["issued"] == {"date-parts": [[1979, 11]], "raw": "1979 Nov-1980 May"}
    chapter = items["20301382"]
    assert chapter["type"] == "chapter"
    assert chapter["container-title"] == "GeneReviews®"
    assert chapter["publisher-place"] == "Seattle (WA)"
    assert chapter["editor"][0] == {"family": "Adam", "given": "Margaret P"}
    assert chapter["issued"] == {"date-parts": [[1993]]}


@pytest.mark.django_db
def test_it_writes_an_empty_csl_json_array_for_no_records():
    assert json.loads(FORMATS["csl-json"].text([])) == []


# Titles in the original language ----------------------------------------------------------


@pytest.mark.django_db
def test_it_falls_back_on_the_vernacular_title_in_every_format_pmid_34097092(records):
    title = "Mitteilungen der DGN."

    [ris] = rispy.loads(write("ris", records, VERNACULAR_ONLY))
    [medline] = Medline.parse(io.StringIO(write("nbib", records, VERNACULAR_ONLY)))
    bibtex = parse_bibtex(write("bibtex", records, VERNACULAR_ONLY))[f"pmid{VERNACULAR_ONLY}"]
    [csl] = json.loads(write("csl-json", records, VERNACULAR_ONLY))
    [row] = read_csv(write("csv", records, VERNACULAR_ONLY))

    assert records[VERNACULAR_ONLY]["title"] == ""
    assert ris["title"] == title
    assert (medline["TI"], medline["TT"]) == (title, title)
    assert bibtex["title"] == title
    assert csl["title"] == title
    assert row["title"] == title


@pytest.mark.django_db
def test_it_keeps_the_english_title_and_writes_the_vernacular_one_as_tt_pmid_34096929(records):
    [ris] = rispy.loads(write("ris", records, VERNACULAR))
    [medline] = Medline.parse(io.StringIO(write("nbib", records, VERNACULAR)))

    assert ris["title"] == "[Is acupuncture effective for dry mouth?]"
    assert medline["TI"] == "[Is acupuncture effective for dry mouth?]"
    assert medline["TT"] == "Helpt acupunctuur bij een droge mond?"
    assert to_csl(records[VERNACULAR])["title"] == "[Is acupuncture effective for dry mouth?]"


# CSV ---------------------------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    data = text.encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.django_db
def test_it_writes_one_csv_row_per_article_with_a_bom(records):
    rows = read_csv(write("csv", records, *GOLDEN))

    assert [int(row["pmid"]) for row in rows] == list(GOLDEN)
    row = {int(r["pmid"]): r for r in rows}
    assert row[NON_ASCII]["authors"] == "González-Reyes S; Martínez L; Tovar JA"
    assert row[COLLECTIVE]["authors"] == "National Toxicology Program"
    assert row[MEDLINE_DATE]["publication_date"] == "1979 Nov-1980 May"
    assert row[MEDLINE_DATE]["year"] == "1979"
    assert row[STRUCTURED]["publication_types"] == (
        "Journal Article; Research Support, Non-U.S. Gov't; Validation Study"
    )
    assert row[STRUCTURED]["mesh_terms"].startswith("Caprylates/*blood; Drinking Water/analysis")
    assert row[STRUCTURED]["abstract"] == structured_abstract(records[STRUCTURED])
    assert row[CHAPTER]["journal"] == "GeneReviews®"


@pytest.mark.django_db
def test_it_neutralises_formulas_in_csv_cells(records):
    record = dict(records[NON_ASCII], title='=HYPERLINK("http://evil.example","x")')
    record["authors"] = [dict(records[NON_ASCII]["authors"][0], collective_name="@SUM(A1)")]
    [row] = read_csv(FORMATS["csv"].text([record]))

    assert row["title"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["authors"] == "'@SUM(A1)"
    assert row["pages"] == "1269-74"  # a dash inside a cell is harmless


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("1-2", "1-2"),
        ("", ""),
    ],
)
def test_it_neutralises_cells_starting_like_a_formula(value, expected):
    assert neutralise_formula(value) == expected


@pytest.mark.django_db
def test_every_format_writes_every_golden_record_without_losing_one(records):
    assert FORMATS["ris"].text(records[p] for p in GOLDEN).count("ER  - ") == 5
    assert len(list(Medline.parse(io.StringIO(write("nbib", records, *GOLDEN))))) == 5
    assert len(parse_bibtex(write("bibtex", records, *GOLDEN))) == 5
    assert [to_csl(records[p])["PMID"] for p in GOLDEN] == [str(p) for p in GOLDEN]
