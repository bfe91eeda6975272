"""articles.curation.actions: decisions, tags, the corrections overlay, and its survival of a
re-ingest of a newer PubMed version."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.curation import actions as curation
from articles.ingest.files import ingest_files
from articles.models import (
    Article,
    ArticleConcept,
    BlockedPMID,
    CaseFacts,
    Correction,
    Curation,
    ExclusionReason,
    MeshDescriptor,
    Tag,
)
from tests import factories

FIXTURES = Path(__file__).parent / "fixtures"
RECORD = FIXTURES / "hawc_structured_abstract_21813367.xml"
PMID = 21813367
TITLE = (
    "Retrospective exposure estimation and predicted versus observed serum "
    "perfluorooctanoic acid concentrations for participants in the C8 Health Project."
)
AFFILIATION = (
    "School of Social Ecology, University of California, Irvine, California 95616, USA. "
    "hmshin@ucdavis.edu"
)

THREE = [
    RECORD,
    FIXTURES / "hawc_abstract_markup_29186030.xml",
    FIXTURES / "hawc_collective_author_21860499.xml",
]

pytestmark = pytest.mark.django_db


def ingest(*paths: Path):
    stats = ingest_files(list(paths))
    assert stats.failed == 0, stats.problems
    return stats


def newer_version(tmp_path: Path, **replacements: str) -> Path:
    """The fixture record as PubMed might send it again: Version 2, with text changed."""
    xml = RECORD.read_text(encoding="utf-8")
    xml = xml.replace('<PMID Version="1">21813367', '<PMID Version="2">21813367')
    for old, new in replacements.items():
        assert old in xml
        xml = xml.replace(old, new)
    path = tmp_path / "pmid_21813367_v2.xml"
    path.write_text(xml, encoding="utf-8")
    return path


@pytest.fixture
def curator():
    return factories.curator()


@pytest.fixture
def record():
    ingest(RECORD)


def test_it_captures_the_original_value_when_a_correction_is_made(record, curator):
    correction = curation.correct(PMID, "title", "A corrected title.", user=curator)

    assert correction.original_value == TITLE
    assert correction.corrected_value == "A corrected title."
    assert correction.created_by == curator
    assert correction.needs_review is False


@pytest.mark.parametrize(
    ("key", "original"),
    [
        (
            "abstract:0",
            "People living or working in eastern Ohio and western West Virginia "
            "have been exposed to perfluorooctanoic acid (PFOA) released by DuPont Washington "
            "Works facilities.",
        ),
        ("author:1:name", "Verónica M Vieira"),
        ("author:0:affiliation:0", AFFILIATION),
        ("pub_date", "2011 Dec"),
        ("facts:patient_count", ""),
        ("concept:disease:D012507", "no"),
    ],
)
def test_it_reads_the_original_of_every_kind_of_key(record, key, original):
    assert curation.source_values(PMID, [key]) == {key: original}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("summary", "x", "'summary' is not a correction key"),
        ("facts:patient_count", "five", "'five' is not a whole number"),
        ("facts:kind", "cohort", "'cohort' is not a kind"),
        ("concept:disease:D012507", "maybe", "use 'yes' (add) or 'no' (remove)"),
    ],
)
def test_it_refuses_a_bad_key_or_value_with_a_clear_message(record, curator, key, value, message):
    with pytest.raises(
        curation.CorrectionError, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        curation.correct(PMID, key, value, user=curator)
    assert Correction.objects.count() == 0


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "author:5:name",
            "X",
            "author:5:name: there is no author at position 5; the record has 5, at positions "
            "0-4 (positions count from 0)",
        ),
        (
            "author:0:affiliation:1",
            "X",
            "author:0:affiliation:1: there is no affiliation of author 0 at position 1; the "
            "record has one affiliation of author 0, at position 0 (positions count from 0)",
        ),
        (
            "abstract:5",
            "X",
            "abstract:5: there is no abstract section at position 5; the record has 5, at "
            "positions 0-4 (positions count from 0)",
        ),
        ("concept:therapy:D000001", "yes", "concept:therapy:D000001: D000001 is not a MeSH"),
        (
            "concept:disease:D012507",
            "no",
            "concept:disease:D012507: the article has no disease D012507 to remove",
        ),
    ],
)
def test_it_refuses_a_key_naming_what_the_record_does_not_have(
    record, curator, key, value, message
):
    MeshDescriptor.objects.create(ui="D012507", name="Sarcoidosis")

    with pytest.raises(curation.CorrectionError) as refused:
        curation.correct(PMID, key, value, user=curator)

    assert str(refused.value).startswith(message)
    assert refused.value.of == "key"
    assert Correction.objects.count() == 0


def test_it_keeps_a_correction_editable_after_pubmed_removed_its_element(record, curator, tmp_path):
    curation.correct(PMID, "abstract:4", "Corrected conclusions.", user=curator)
    xml = RECORD.read_text(encoding="utf-8")
    last_section = xml[xml.rindex("<AbstractText") : xml.rindex("</AbstractText>") + 15]
    ingest(newer_version(tmp_path, **{last_section: ""}))

    correction = curation.correct(PMID, "abstract:4", "Corrected again.", user=curator)

    assert (correction.corrected_value, correction.needs_review) == ("Corrected again.", True)


def test_the_article_page_shows_corrections_marked_with_pubmeds_value_one_click_away(
    client, record, curator
):
    curation.correct(PMID, "title", "Exposure to PFOA in the C8 Health Project.", user=curator)
    curation.correct(PMID, "abstract:1", "Estimate PFOA exposure of 45,276 people.", user=curator)
    curation.correct(PMID, "author:1:name", "Verónica M. Vieira", user=curator)
    curation.correct(
        PMID, "author:0:affiliation:0", "University of California, Irvine, USA.", user=curator
    )
    curation.correct(PMID, "pub_date", "2011 Dec 1", user=curator)

    html = client.get(f"/{PMID}/").content.decode()

    assert (
        '<h1 id="article-title" class="article-title">'
        "Exposure to PFOA in the C8 Health Project.</h1>" in html
    )
    assert TITLE not in html.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert "Estimate PFOA exposure of 45,276 people." in html
    assert "Verónica M. Vieira" in html
    assert (
        '<li id="affiliation-1">University of California, Irvine, USA.<details class="correction">'
        in html
    )
    assert (
        "Environ Health Perspect. 2011 Dec 1;119(12):1760-5.</span>"
        '<details class="correction">' in html
    )
    # Each corrected value is marked where the page shows it (and in the corrections box),
    # and PubMed's value sits in a disclosure.
    assert html.count('<span class="correction__mark">corrected</span>') == 5 + 5
    assert f'<span class="correction__source">PubMed:</span> {TITLE}</span>' in html
    assert (
        '<span class="correction__source">PubMed:</span> Our objective was to estimate '
        "historical PFOA exposures"
    ) in html
    assert f'<span class="correction__source">PubMed:</span> {AFFILIATION}</span>' in html
    assert '<span class="correction__source">PubMed:</span> 2011 Dec</span>' in html
    assert "<dt>Author 1, affiliation 1</dt>" in html


def test_the_overlay_stores_corrected_case_facts_and_concepts(record, curator):
    # Ingest read the C8 Health Project study as "not a case report", with no patient count.
    assert CaseFacts.objects.filter(pk=PMID, kind="other", patient_count=None).exists()
    MeshDescriptor.objects.create(ui="D012507", name="Sarcoidosis")
    curation.correct(PMID, "facts:patient_count", "1074", user=curator)
    curation.correct(PMID, "facts:kind", "case_series", user=curator)
    curation.correct(PMID, "concept:disease:D012507", "yes", user=curator)
    article = Article.objects.for_detail().get(pk=PMID)

    shown = curation.apply_corrections(article)

    # What readers see is stored, so filters and facets find it; the rules' values are kept.
    facts = CaseFacts.objects.get(pk=PMID)
    assert (facts.kind, facts.patient_count) == ("case_series", 1074)
    assert facts.suggested == {"patient_count": None, "kind": "other"}
    assert (article.facts_corrected, article.concepts_corrected) == (True, True)
    # The causes are the ones the recogniser reads in the text, untouched by the correction.
    assert curation.case_data(article)[1] == {
        "disease": [("D012507", "Sarcoidosis")],
        "therapy": [],
        "cause": [("D002210", "Caprylates"), ("D005466", "Fluorocarbons")],
    }
    assert shown["facts:patient_count"].pubmed_value == ""
    assert shown["facts:kind"].pubmed_value == "other"
    assert shown["concept:disease:D012507"].pubmed_value == "no"


def test_deleting_a_correction_puts_back_the_rules_values(record, curator):
    MeshDescriptor.objects.create(ui="D012507", name="Sarcoidosis")
    curation.correct(PMID, "facts:patient_count", "1074", user=curator)
    curation.correct(PMID, "concept:disease:D012507", "yes", user=curator)

    Correction.objects.filter(article_id=PMID).delete()
    curation.on_corrections_changed([PMID])

    facts = CaseFacts.objects.get(pk=PMID)
    assert (facts.kind, facts.patient_count, facts.suggested) == ("other", None, {})
    assert not ArticleConcept.objects.filter(article_id=PMID, descriptor_id="D012507").exists()


def test_it_keeps_every_correction_on_reingest_and_flags_those_whose_original_changed(
    client, record, curator, tmp_path
):
    curation.correct(PMID, "title", "Corrected title.", user=curator)
    curation.correct(PMID, "author:0:affiliation:0", "UC Irvine.", user=curator)
    curation.correct(PMID, "abstract:0", "Corrected background.", user=curator)
    revised_title = TITLE.replace("Retrospective", "Revised retrospective")

    stats = ingest(newer_version(tmp_path, **{TITLE: revised_title}))

    assert (stats.created, stats.updated) == (0, 1)
    assert Article.objects.get(pk=PMID).version == 2
    assert Article.objects.get(pk=PMID).title == revised_title
    rows = {
        c.field: (c.corrected_value, c.original_value, c.needs_review, c.source_value)
        for c in Correction.objects.all()
    }
    assert rows == {
        "title": ("Corrected title.", TITLE, True, revised_title),
        "author:0:affiliation:0": ("UC Irvine.", AFFILIATION, False, ""),
        "abstract:0": (
            "Corrected background.",
            curation.source_values(PMID, ["abstract:0"])["abstract:0"],
            False,
            "",
        ),
    }
    # The page still shows the correction, now over PubMed's new value.
    html = client.get(f"/{PMID}/").content.decode()
    assert "Corrected title." in html
    assert f'<span class="correction__source">PubMed:</span> {revised_title}</span>' in html


def test_a_reviewed_flag_takes_pubmeds_new_value_as_the_original(record, curator, tmp_path):
    curation.correct(PMID, "title", "Corrected title.", user=curator)
    ingest(newer_version(tmp_path, **{TITLE: "New title."}))

    assert curation.mark_reviewed(Correction.objects.all(), user=curator) == 1

    correction = Correction.objects.get()
    assert (correction.original_value, correction.needs_review, correction.source_value) == (
        "New title.",
        False,
        "",
    )


def test_an_unchanged_reingest_flags_nothing(record, curator):
    curation.correct(PMID, "title", "Corrected title.", user=curator)

    stats = ingest(RECORD)

    assert stats.unchanged == 1
    assert Correction.objects.get().needs_review is False


def test_it_records_decisions_with_reason_and_reviewer(record, curator):
    reason = ExclusionReason.objects.create(name="Not a case series")

    assert curation.set_status([PMID], "excluded", user=curator, reason=reason) == 1
    assert curation.set_status([PMID], "excluded", user=curator, reason=reason) == 0

    row = Curation.objects.get(pk=PMID)
    assert (row.status, row.exclusion_reason, row.reviewed_by) == ("excluded", reason, curator)
    curation.set_status([PMID], "included", user=curator)
    row.refresh_from_db()
    assert (row.status, row.exclusion_reason) == ("included", None)


def test_it_adds_and_removes_tags(record, curator):
    tag = Tag.objects.create(name="pediatric")

    assert curation.add_tag([PMID], tag, user=curator) == 1
    assert curation.add_tag([PMID], tag, user=curator) == 0
    assert list(Curation.objects.get(pk=PMID).tags.values_list("name", flat=True)) == ["pediatric"]
    assert curation.remove_tag([PMID], tag, user=curator) == 1
    assert Curation.objects.get(pk=PMID).tags.count() == 0


def test_it_sets_an_articles_tags_in_one_audit_entry(record, curator):
    pediatric, rare, pfas = (Tag.objects.create(name=n) for n in ("pediatric", "rare", "PFAS"))
    curation.add_tag([PMID], pediatric, user=curator)
    entries = Curation.history.filter(article_id=PMID).count()

    assert curation.set_tags(PMID, [rare, pfas], user=curator) is True
    assert curation.set_tags(PMID, [pfas, rare], user=curator) is False

    row = Curation.objects.get(pk=PMID)
    assert sorted(row.tags.values_list("name", flat=True)) == ["PFAS", "rare"]
    assert Curation.history.filter(article_id=PMID).count() == entries + 1
    latest = row.history.latest("history_id")
    assert sorted(t.tag.name for t in latest.tags.all()) == ["PFAS", "rare"]
    assert latest.history_user == curator


def test_public_hides_excluded_and_blocked_articles(curator):
    ingest(*THREE)
    curation.set_status([21813367], "excluded", user=curator)
    curation.set_status([21860499], "maybe", user=curator)
    BlockedPMID.objects.create(pmid=29186030, reason="Duplicate")

    assert list(Article.objects.public().values_list("pmid", flat=True)) == [21860499]
    assert Article.objects.visible().count() == 3


def test_the_status_facet_counts_uncurated_articles_as_unreviewed(curator):
    ingest(*THREE)
    curation.set_status([21813367], "excluded", user=curator)
    curation.set_status([21860499], "maybe", user=curator)

    assert curation.status_counts(Article.objects.all()) == {
        "unreviewed": 1,
        "included": 0,
        "maybe": 1,
        "excluded": 1,
    }
    assert curation.status_counts(Article.objects.filter(pk=29186030)) == {
        "unreviewed": 1,
        "included": 0,
        "maybe": 0,
        "excluded": 0,
    }


def test_text_corrections_cost_the_article_page_no_extra_query(
    client, record, curator, django_assert_num_queries
):
    with CaptureQueriesContext(connection) as uncorrected:
        assert client.get(f"/{PMID}/").status_code == 200
    for key in ("title", "abstract:0", "author:0:name", "author:0:affiliation:0", "pub_date"):
        curation.correct(PMID, key, "Corrected.", user=curator)

    # The record's queries and the one that reads its corrections, as without any.
    with django_assert_num_queries(len(uncorrected)):
        assert client.get(f"/{PMID}/").status_code == 200
