"""export_articles and articles.exports.records, on real PubMed records loaded through
ingest_pubmed."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import prefetch_related_objects
from django.test.utils import CaptureQueriesContext

from articles.curation import actions as curation
from articles.exports.records import EXPORT_PREFETCHES, NOT_EXPORTED, article_to_dict, iter_export
from articles.ingest.files import DERIVED_VERSION
from articles.models import Article, ArticleConcept, Curation
from articles.text.mesh import load_mesh

FIXTURES = Path(__file__).parent / "fixtures"
HAWC = (
    "hawc_abstract_markup_29186030.xml",
    "hawc_structured_abstract_21813367.xml",
    "hawc_collective_author_21860499.xml",
    "hawc_book_chapter_20301382.xml",
)
EXCERPTS = ("pubmed21n1298_excerpt_34.xml.gz", "pubmed20n0014_excerpt_23.xml.gz")

FIELDS = [
    "pmid",
    "version",
    "kind",
    "title",
    "title_html",
    "vernacular_title",
    "journal",
    "volume",
    "issue",
    "pagination",
    "start_page",
    "end_page",
    "pub_date",
    "epub_date",
    "article_dates",
    "history",
    "date_completed",
    "date_revised",
    "citation_status",
    "citation_owner",
    "publication_status",
    "languages",
    "abstract",
    "abstract_copyright",
    "other_abstracts",
    "authors",
    "editors",
    "investigators",
    "authors_complete",
    "publication_types",
    "mesh_headings",
    "supplementary_concepts",
    "substances",
    "keywords",
    "grants",
    "article_ids",
    "doi",
    "pmcid",
    "comments_corrections",
    "references",
    "citation_subsets",
    "coi_statement",
    "book",
    "is_retracted",
    "casebook",
]

NANJING = (
    "The Key Laboratory of Monitoring and Management of Plant Diseases and Insects, "
    "Department of Entomology, College of Plant Protection, Ministry of Agriculture, "
    "Nanjing Agricultural University, Nanjing 210095, China."
)


def ingest(*paths: str | Path) -> None:
    for path in paths:
        path = path if isinstance(path, Path) else FIXTURES / path
        call_command("ingest_pubmed", str(path), workers=0, stdout=StringIO(), stderr=StringIO())


def export(*args: str, **options) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command("export_articles", *args, stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


def records(output: str) -> list[dict]:
    # Split on "\n" only: JSON Lines ends records there, and text may hold U+2028.
    assert output == "" or output.endswith("\n")
    return [json.loads(line) for line in output.split("\n")[:-1]]


def exported(*args: str) -> dict[int, dict]:
    stdout, _ = export(*args)
    return {record["pmid"]: record for record in records(stdout)}


def person(**fields) -> dict:
    return {
        "position": 0,
        "last_name": "",
        "fore_name": "",
        "initials": "",
        "suffix": "",
        "collective_name": "",
        "orcid": "",
        "identifiers": [],
        "equal_contrib": False,
        "valid": True,
        "affiliations": [],
        **fields,
    }


def affiliation(text: str) -> dict:
    return {"text": text, "identifiers": []}


@pytest.mark.django_db
def test_it_writes_one_line_per_article_in_pmid_order():
    ingest(*HAWC)

    stdout, stderr = export("--format", "jsonl")

    lines = stdout.split("\n")
    assert len(lines) == 5 and lines[-1] == ""
    assert [record["pmid"] for record in records(stdout)] == [
        20301382,
        21813367,
        21860499,
        29186030,
    ]
    assert stderr == "exported 4 articles\n"


@pytest.mark.django_db
def test_it_exports_every_field_in_a_fixed_order():
    ingest(*HAWC)

    for record in records(export()[0]):
        assert list(record) == FIELDS


@pytest.mark.django_db
def test_it_exports_authors_with_all_their_affiliations():
    ingest("hawc_abstract_markup_29186030.xml")

    record = exported()[29186030]

    assert record["authors"] == [
        person(
            position=0,
            last_name="Elzaki",
            fore_name="Mohammed Esmail Abdalla",
            initials="MEA",
            affiliations=[
                affiliation(f"{NANJING} mohammedelzaki@njau.edu.cn."),
                affiliation(
                    "College of Crop Science, Fujian Agriculture and Forestry University, "
                    "Fuzhou 350002, China. mohammedelzaki@njau.edu.cn."
                ),
            ],
        ),
        person(
            position=1,
            last_name="Miah",
            fore_name="Mohammad Asaduzzaman",
            initials="MA",
            affiliations=[affiliation(f"{NANJING} mamiah81@yahoo.com.")],
        ),
        person(
            position=2,
            last_name="Han",
            fore_name="Zhaojun",
            initials="Z",
            affiliations=[affiliation(f"{NANJING} zjhan@njau.edu.cn.")],
        ),
    ]
    assert record["editors"] == []
    assert record["investigators"] == []
    assert record["authors_complete"] is True


@pytest.mark.django_db
def test_it_exports_mesh_headings_with_qualifiers_and_major_flags():
    ingest("hawc_abstract_markup_29186030.xml", "hawc_structured_abstract_21813367.xml")

    by_pmid = exported()

    def heading(ui, name, qualifiers=(), major=False, type=""):
        return {
            "ui": ui,
            "name": name,
            "major": major,
            "type": type,
            "qualifiers": [{"ui": q, "name": n, "major": m} for q, n, m in qualifiers],
        }

    assert by_pmid[29186030]["mesh_headings"] == [
        heading("D000818", "Animals"),
        heading(
            "D003577",
            "Cytochrome P-450 Enzyme System",
            [("Q000378", "metabolism", True)],
        ),
        heading(
            "D006430",
            "Hemiptera",
            [("Q000187", "drug effects", False), ("Q000378", "metabolism", False)],
        ),
        heading("D007306", "Insecticides", [("Q000494", "pharmacology", True)]),
        heading("D000073943", "Neonicotinoids", [("Q000494", "pharmacology", True)]),
        heading("D009574", "Nitro Compounds", [("Q000494", "pharmacology", True)]),
        heading("D013829", "Thiadiazines", [("Q000378", "metabolism", True)]),
    ]
    headings = by_pmid[21813367]["mesh_headings"]
    assert headings[3] == heading(
        "D004784",
        "Environmental Monitoring",
        [("Q000379", "methods", False), ("Q000706", "statistics & numerical data", True)],
    )
    assert headings[11] == heading("D008962", "Models, Theoretical", major=True)
    assert headings[12] == heading("D009820", "Ohio", type="Geographic")
    assert len(headings) == 15


@pytest.mark.django_db
def test_it_exports_references_with_their_ids_and_cited_pmid():
    ingest("hawc_abstract_markup_29186030.xml")

    references = exported()[29186030]["references"]

    assert len(references) == 31
    assert references[0] == {
        "position": 0,
        "citation": (
            "Konno T. Pest Management Rice. Springer; Berlin, Germany: 1990. Buprofezin; "
            "A reliable IGR for the control of rice pests; pp. 210\u2013222."
        ),
        "article_ids": [],
        "pmid": None,
    }
    assert references[2]["article_ids"] == [{"type": "doi", "value": "10.1303/aez.14.264"}]
    assert references[2]["pmid"] is None
    assert references[9] == {
        "position": 9,
        "citation": (
            "Xu L., Wu M., Han Z. Overexpression of multiple detoxification genes in "
            "deltamethrin resistant Laodelphax striatellus (Hemiptera: Delphacidae) in China. "
            "PLoS ONE. 2013;8:e79443. doi: 10.1371/journal.pone.0079443."
        ),
        "article_ids": [
            {"type": "doi", "value": "10.1371/journal.pone.0079443"},
            {"type": "pmc", "value": "PMC3855578"},
            {"type": "pubmed", "value": "24324548"},
        ],
        "pmid": 24324548,
    }
    assert references[30]["pmid"] == 16719371


@pytest.mark.django_db
def test_it_exports_raw_and_parsed_dates_as_iso_strings():
    ingest("hawc_abstract_markup_29186030.xml", *EXCERPTS)

    by_pmid = exported()
    record = by_pmid[29186030]

    assert record["pub_date"] == {
        "raw": "2017 Nov 29",
        "year": 2017,
        "month": 11,
        "day": 29,
        "precision": "day",
    }
    assert record["epub_date"] == "2017-11-29"
    assert record["article_dates"] == [{"type": "Electronic", "date": "2017-11-29"}]
    assert record["history"] == [
        {"type": "received", "date": "2017-09-22"},
        {"type": "revised", "date": "2017-11-14"},
        {"type": "accepted", "date": "2017-11-20"},
        # PubMed's own events carry the time PubMed stamped them with.
        {"type": "entrez", "date": "2017-11-30T06:00"},
        {"type": "pubmed", "date": "2017-12-01T06:00"},
        {"type": "medline", "date": "2018-07-10T06:00"},
        {"type": "pmc-release", "date": "2017-12-01"},
    ]
    assert record["date_completed"] == "2018-07-09"
    assert record["date_revised"] == "2018-11-13"
    # MedlineDate: kept as written, read to its first day.
    assert by_pmid[415923]["pub_date"] == {
        "raw": "1977 Apr 13-15",
        "year": 1977,
        "month": 4,
        "day": 13,
        "precision": "range",
    }
    assert by_pmid[399698]["pub_date"] == {
        "raw": "1979 Nov-1980 May",
        "year": 1979,
        "month": 11,
        "day": None,
        "precision": "range",
    }
    assert by_pmid[34092829]["pub_date"] == {
        "raw": "2020 Spring",
        "year": 2020,
        "month": 3,
        "day": None,
        "precision": "season",
    }


@pytest.mark.django_db
def test_it_exports_a_labelled_abstract_journal_ids_and_corrections():
    ingest("hawc_structured_abstract_21813367.xml")

    record = exported()[21813367]

    assert [(s["label"], s["nlm_category"]) for s in record["abstract"]] == [
        ("BACKGROUND", "BACKGROUND"),
        ("OBJECTIVES", "OBJECTIVE"),
        ("METHODS", "METHODS"),
        ("RESULTS", "RESULTS"),
        ("CONCLUSIONS", "CONCLUSIONS"),
    ]
    assert record["abstract"][0]["text"] == (
        "People living or working in eastern Ohio and western West Virginia have been "
        "exposed to perfluorooctanoic acid (PFOA) released by DuPont Washington Works "
        "facilities."
    )
    assert record["journal"] == {
        "title": "Environmental health perspectives",
        "iso_abbreviation": "Environ Health Perspect",
        "medline_ta": "Environ Health Perspect",
        "issn_print": "",
        "issn_electronic": "1552-9924",
        "issn_linking": "0091-6765",
        "nlm_unique_id": "0330411",
        "country": "United States",
    }
    assert (record["volume"], record["issue"]) == ("119", "12")
    assert (record["pagination"], record["start_page"], record["end_page"]) == (
        "1760-5",
        "1760",
        "1765",
    )
    assert record["article_ids"] == [
        {"type": "pubmed", "value": "21813367", "source": "articleid", "valid": True},
        {"type": "pmc", "value": "PMC3261988", "source": "articleid", "valid": True},
        {"type": "doi", "value": "10.1289/ehp.1103729", "source": "articleid", "valid": True},
        {"type": "doi", "value": "10.1289/ehp.1103729", "source": "elocation", "valid": True},
    ]
    assert (record["doi"], record["pmcid"]) == ("10.1289/ehp.1103729", "PMC3261988")
    assert record["comments_corrections"] == [
        {
            "ref_type": "ErratumIn",
            "source": "Environ Health Perspect.2013 Apr;121(4):A113",
            "pmid": None,
            "note": "",
        }
    ]
    assert record["publication_types"] == [
        {"ui": "D016428", "name": "Journal Article"},
        {"ui": "D013485", "name": "Research Support, Non-U.S. Gov't"},
        {"ui": "D023361", "name": "Validation Study"},
    ]
    assert record["substances"][4] == {
        "ui": "C023036",
        "name": "perfluorooctanoic acid",
        "registry_number": "947VD76D3L",
    }
    assert record["citation_subsets"] == ["IM"]
    assert record["authors"][1]["fore_name"] == "Verónica M"
    assert record["book"] is None
    assert record["is_retracted"] is False


@pytest.mark.django_db
def test_it_exports_a_collective_author():
    ingest("hawc_collective_author_21860499.xml")

    record = exported()[21860499]

    assert record["authors"] == [person(collective_name="National Toxicology Program")]
    assert record["pub_date"] == {
        "raw": "2011",
        "year": 2011,
        "month": None,
        "day": None,
        "precision": "year",
    }
    assert record["abstract"] == []
    assert record["epub_date"] is None


@pytest.mark.django_db
def test_it_exports_investigators_apart_from_authors():
    ingest("pubmed21n1298_excerpt_34.xml.gz")

    record = exported("--pmid", "33675745")[33675745]

    assert [(a["last_name"], a["collective_name"]) for a in record["authors"]] == [
        ("Tam", ""),
        ("Picoraro", ""),
        ("Gupta", ""),
        ("Oliva", ""),
        ("Furlano", ""),
        ("Walsh", ""),
        ("", "International Pediatric Gastroenterology COVID-19 Alliance"),
    ]
    assert [(a["position"], a["last_name"], a["fore_name"]) for a in record["investigators"]] == [
        (0, "Lerner", "Diana G"),
        (1, "Homan", "Matjaž"),
        (2, "Murray", "Karen F"),
    ]


@pytest.mark.django_db
def test_it_exports_orcids_retractions_and_other_abstracts():
    ingest("pubmed21n1298_excerpt_34.xml.gz")

    by_pmid = exported("--pmid", "33480729", "27602157", "34096929")

    heid = by_pmid[33480729]["authors"][0]
    assert heid["orcid"] == "0000-0002-8404-6596"
    assert heid["identifiers"] == [{"source": "ORCID", "value": "0000000284046596"}]
    retracted = by_pmid[27602157]
    assert retracted["is_retracted"] is True
    assert retracted["comments_corrections"] == [
        {
            "ref_type": "RetractionIn",
            "source": "Oncol Lett. 2021 Jul;22(1):545",
            "pmid": 34093767,
            "note": "",
        }
    ]
    dutch = by_pmid[34096929]
    assert dutch["vernacular_title"] == "Helpt acupunctuur bij een droge mond?"
    assert [(o["type"], o["language"]) for o in dutch["other_abstracts"]] == [("Publisher", "dut")]
    section = dutch["other_abstracts"][0]["sections"][0]
    assert list(section) == ["label", "nlm_category", "text", "html"]
    assert section["text"].startswith("De huidige therapieën tegen drogemondklachten")


@pytest.mark.django_db
def test_it_exports_a_book_chapter_with_its_editors_and_no_journal():
    ingest("hawc_book_chapter_20301382.xml")

    record = exported()[20301382]

    assert record["kind"] == "book"
    assert record["journal"] is None
    assert record["title"] == "Single Large-Scale Mitochondrial DNA Deletion Syndromes"
    assert record["book"] == {
        "title": "GeneReviews®",
        "title_html": "GeneReviews<sup>®</sup>",
        "publisher_name": "University of Washington, Seattle",
        "publisher_location": "Seattle (WA)",
        "volume": "",
        "edition": "",
        "medium": "Internet",
        "collection_title": "",
        "isbns": [],
        "report_number": "",
        "beginning_date": "1993",
        "ending_date": "2024",
    }
    assert [(a["position"], a["last_name"]) for a in record["editors"]] == [
        (0, "Adam"),
        (1, "Feldman"),
        (2, "Mirzaa"),
        (3, "Pagon"),
        (4, "Wallace"),
        (5, "Bean"),
        (6, "Gripp"),
        (7, "Amemiya"),
    ]
    assert [a["last_name"] for a in record["authors"]] == ["Goldstein", "Falk"]
    assert record["references"][0]["pmid"] == 29594260
    assert record["article_ids"][0] == {
        "type": "bookaccession",
        "value": "NBK1203",
        "source": "articleid",
        "valid": True,
    }


@pytest.mark.django_db
def test_it_leaves_out_deleted_articles_unless_asked(tmp_path):
    ingest("hawc_abstract_markup_29186030.xml", "hawc_structured_abstract_21813367.xml")
    deletion = tmp_path / "delete_29186030.xml"
    deletion.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n'
        '<DeleteCitation>\n<PMID Version="1">29186030</PMID>\n</DeleteCitation>\n'
        "</PubmedArticleSet>\n"
    )
    ingest(deletion)

    stdout, stderr = export()
    assert [(r["pmid"], "deleted" in r) for r in records(stdout)] == [(21813367, False)]
    assert stderr == "exported 1 articles\n"

    stdout, stderr = export("--include-deleted")
    assert [(r["pmid"], r["deleted"]) for r in records(stdout)] == [
        (21813367, False),
        (29186030, True),
    ]
    assert list(records(stdout)[1]) == [*FIELDS, "deleted"]
    assert records(stdout)[1]["authors"][0]["last_name"] == "Elzaki"
    assert stderr == "exported 2 articles\n"


# What Casebook adds -------------------------------------------------------------------------

ASTHMA_KIDS = 412160  # "Disodium cromoglycate in five children with intractable asthma."


@pytest.fixture
def curator(db):
    ingest("pubmed20n0014_browse_52.xml.gz")
    load_mesh(FIXTURES / "mesh_2024_browse_excerpt.tsv.gz")
    return User.objects.create_user("cora", is_staff=True)


@pytest.mark.django_db
def test_it_adds_case_facts_concepts_and_status_beside_pubmeds_record(curator):
    [record] = records(export("--pmid", str(ASTHMA_KIDS))[0])

    assert record["casebook"] == {
        "status": "unreviewed",
        "facts": {
            "kind": "case_series",
            "patient_count": 5,
            "male_count": None,
            "female_count": None,
            "reviewed_count": None,
            "age_min_years": None,
            "age_max_years": None,
            "age_mean_years": None,
            "age_median_years": None,
            "has_child": True,
            "has_adult": False,
            "has_older_adult": False,
            "corrected": [],
            "evidence": [
                {
                    "field": "patient_count",
                    "source": "title",
                    "start": 25,
                    "end": 38,
                    "text": "five children",
                },
                {
                    "field": "age_group",
                    "source": "title",
                    "start": 25,
                    "end": 38,
                    "text": "five children",
                },
            ],
            "rules_version": DERIVED_VERSION,
        },
        "concepts": [
            {
                "role": "disease",
                "ui": "D001249",
                "name": "Asthma",
                "source": "mesh",
                "major": True,
                "prior": False,
                "curated": False,
                # Indexed by NLM and named in the title: MeSH stays the source, the title
                # gives the evidence.
                "evidence": [{"source": "title", "start": 56, "end": 62, "text": "asthma"}],
            },
            {
                "role": "therapy",
                "ui": "D004205",
                "name": "Cromolyn Sodium",
                "source": "mesh",
                "major": True,
                "prior": False,
                "curated": False,
                "evidence": [],
            },
        ],
        "corrections": [],
    }


@pytest.mark.django_db
def test_it_keeps_pubmeds_record_and_gives_curators_values_in_the_casebook_block(curator):
    curation.correct(ASTHMA_KIDS, "title", "Cromoglycate in five asthmatic children.", user=curator)
    curation.correct(ASTHMA_KIDS, "facts:patient_count", "6", user=curator)
    curation.correct(ASTHMA_KIDS, "concept:therapy:D006854", "yes", user=curator)
    curation.correct(ASTHMA_KIDS, "concept:therapy:D004205", "no", user=curator)
    curation.set_status([ASTHMA_KIDS], Curation.Status.INCLUDED, user=curator)

    [record] = records(export("--pmid", str(ASTHMA_KIDS))[0])
    casebook = record["casebook"]

    assert record["title"] == "Disodium cromoglycate in five children with intractable asthma."
    assert casebook["status"] == "included"
    assert (casebook["facts"]["patient_count"], casebook["facts"]["corrected"]) == (
        6,
        ["patient_count"],
    )
    assert [(c["role"], c["name"], c["source"], c["curated"]) for c in casebook["concepts"]] == [
        ("disease", "Asthma", "mesh", False),
        ("therapy", "Hydrocortisone", "curator", True),
    ]
    assert [(c["field"], c["value"], c["original"]) for c in casebook["corrections"]] == [
        ("concept:therapy:D004205", "no", "yes"),
        ("concept:therapy:D006854", "yes", "no"),
        ("facts:patient_count", "6", "5"),
        (
            "title",
            "Cromoglycate in five asthmatic children.",
            "Disodium cromoglycate in five children with intractable asthma.",
        ),
    ]
    assert not any(c["needs_review"] for c in casebook["corrections"])


@pytest.mark.django_db
def test_a_concept_whose_descriptor_is_not_loaded_keeps_its_ui_as_name(curator):
    # As a concept read from the text is before load_mesh has named its descriptor.
    ArticleConcept.objects.create(
        article_id=ASTHMA_KIDS, descriptor_id="D999999", role="therapy", source="text"
    )

    record = article_to_dict(Article.objects.get(pk=ASTHMA_KIDS))

    assert record["casebook"]["concepts"][-1] == {
        "role": "therapy",
        "ui": "D999999",
        "name": "D999999",
        "source": "text",
        "major": False,
        "prior": False,
        "curated": False,
        "evidence": [],
    }


@pytest.mark.django_db
def test_corrected_records_lay_the_text_corrections_over_pubmeds(curator):
    curation.correct(ASTHMA_KIDS, "title", "Cromoglycate in five asthmatic children.", user=curator)
    curation.correct(ASTHMA_KIDS, "author:1:name", "Baratawijaya KG", user=curator)
    queryset = Article.objects.filter(pk=ASTHMA_KIDS)

    [stored] = iter_export(queryset)
    [shown] = iter_export(queryset, corrected=True)

    assert stored["title"] == "Disodium cromoglycate in five children with intractable asthma."
    assert shown["title"] == "Cromoglycate in five asthmatic children."
    assert shown["authors"][1]["collective_name"] == "Baratawijaya KG"
    assert shown["casebook"] == stored["casebook"]


@pytest.mark.django_db
def test_it_exports_only_the_selected_pmids_in_pmid_order():
    ingest(*HAWC)

    stdout, stderr = export("--pmid", "29186030", "--pmid", "20301382", "21860499")

    assert [r["pmid"] for r in records(stdout)] == [20301382, 21860499, 29186030]
    assert stderr == "exported 3 articles\n"


@pytest.mark.django_db
def test_it_reports_unknown_pmids_and_fails_after_exporting_the_rest():
    ingest(*HAWC)
    stdout, stderr = StringIO(), StringIO()

    with pytest.raises(CommandError) as failure:
        call_command("export_articles", "--pmid", "29186030", "99", stdout=stdout, stderr=stderr)

    assert failure.value.returncode == 1
    assert [r["pmid"] for r in records(stdout.getvalue())] == [29186030]
    assert stderr.getvalue() == "PMID 99 is not stored\nexported 1 articles\n"


@pytest.mark.django_db
def test_it_refuses_a_selected_deleted_pmid_without_include_deleted(tmp_path):
    ingest("hawc_abstract_markup_29186030.xml")
    deletion = tmp_path / "delete.xml"
    deletion.write_text(
        "<PubmedArticleSet><DeleteCitation>"
        '<PMID Version="1">29186030</PMID>'
        "</DeleteCitation></PubmedArticleSet>"
    )
    ingest(deletion)
    stderr = StringIO()

    with pytest.raises(CommandError):
        call_command("export_articles", "--pmid", "29186030", stdout=StringIO(), stderr=stderr)

    assert stderr.getvalue().startswith("PMID 29186030 is deleted; pass --include-deleted")
    stdout, _ = export("--pmid", "29186030", "--include-deleted")
    assert [(r["pmid"], r["deleted"]) for r in records(stdout)] == [(29186030, True)]


@pytest.mark.django_db
def test_it_runs_the_same_number_of_queries_for_4_or_61_articles():
    ingest(*HAWC)
    with CaptureQueriesContext(connection) as few:
        stdout, _ = export()
    assert len(records(stdout)) == 4

    ingest(*EXCERPTS)
    with CaptureQueriesContext(connection) as many:
        stdout, _ = export()
    assert len(records(stdout)) == 61

    # The articles (with journal, case facts and curation), then one query for each of the 15
    # related tables.
    assert len(few) == len(many) == 16


@pytest.mark.django_db
def test_it_runs_a_fixed_number_of_queries_per_chunk(django_assert_max_num_queries):
    ingest(*HAWC, *EXCERPTS)

    with django_assert_max_num_queries(7 * 16):
        pmids = [r["pmid"] for r in iter_export(Article.objects.all(), chunk_size=10)]

    assert pmids == sorted(Article.objects.values_list("pmid", flat=True))
    assert len(pmids) == 61


@pytest.mark.django_db
def test_it_gives_the_same_record_without_prefetching():
    ingest(*HAWC)

    for streamed in iter_export(Article.objects.all()):
        assert article_to_dict(Article.objects.get(pmid=streamed["pmid"])) == streamed


@pytest.mark.django_db
def test_it_reads_every_article_field_but_the_ones_it_leaves_out_on_purpose():
    ingest("hawc_structured_abstract_21813367.xml")
    article = Article.objects.get(pmid=21813367)
    prefetch_related_objects([article], *EXPORT_PREFETCHES)
    read = set()

    class Watched:
        def __getattr__(self, name: str):
            read.add(name)
            return getattr(article, name)

    article_to_dict(Watched())  # type: ignore[arg-type]

    fields = {field.name for field in Article._meta.concrete_fields}
    assert fields >= NOT_EXPORTED
    assert fields - read == NOT_EXPORTED


@pytest.mark.django_db
def test_it_writes_utf8_json_to_the_output_file(tmp_path):
    ingest("hawc_structured_abstract_21813367.xml")
    path = tmp_path / "articles.jsonl"

    stdout, stderr = export("--output", str(path))

    assert stdout == ""
    assert stderr == "exported 1 articles\n"
    data = path.read_bytes()
    assert "Verónica M".encode() in data
    assert b"\\u00f3" not in data
    assert data.count(b"\n") == 1
    assert json.loads(data)["pmid"] == 21813367


@pytest.mark.django_db
def test_it_says_nothing_on_stderr_at_verbosity_0():
    ingest("hawc_collective_author_21860499.xml")

    stdout, stderr = export(verbosity=0)

    assert [r["pmid"] for r in records(stdout)] == [21860499]
    assert stderr == ""


@pytest.mark.django_db
def test_it_exports_nothing_from_an_empty_database():
    stdout, stderr = export()

    assert stdout == ""
    assert stderr == "exported 0 articles\n"


def test_it_accepts_only_the_jsonl_format():
    with pytest.raises(CommandError, match="invalid choice: 'csv'"):
        export("--format", "csv")
