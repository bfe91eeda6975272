"""The audit trail: every curation change with who, when, before and after, per article in
the admin and exportable."""

from pathlib import Path

import pytest
from django.test import Client

from articles.curation import actions as curation
from articles.curation import audit
from articles.ingest.files import ingest_files
from articles.models import BlockedPMID, Correction, ExclusionReason, Tag
from tests import factories

FIXTURES = Path(__file__).parent / "fixtures"
PMID = 21813367
TITLE = (
    "Retrospective exposure estimation and predicted versus observed serum "
    "perfluorooctanoic acid concentrations for participants in the C8 Health Project."
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    return factories.curator()


@pytest.fixture
def record():
    return factories.article(PMID)


def rows(entries):
    return [(e.who, e.pmid, e.subject, e.action, e.field, e.before, e.after) for e in entries]


def test_it_records_decisions_tags_and_notes_with_exact_before_and_after(record, curator):
    reason = ExclusionReason.objects.create(name="Not a case series")
    pediatric = Tag.objects.create(name="pediatric")
    lung = Tag.objects.create(name="lung")

    curation.set_status([PMID], "maybe", user=curator)
    curation.add_tag([PMID], pediatric, user=curator)
    curation.add_tag([PMID], lung, user=curator)
    curation.set_status([PMID], "excluded", user=curator, reason=reason)
    curation.remove_tag([PMID], pediatric, user=curator)

    assert rows(audit.entries([PMID])) == [
        ("cora", PMID, "curation", "created", "status", "", "maybe"),
        ("cora", PMID, "curation", "created", "reviewed_by", "", "cora"),
        ("cora", PMID, "curation", "changed", "tags", "", "pediatric"),
        ("cora", PMID, "curation", "changed", "tags", "pediatric", "lung, pediatric"),
        ("cora", PMID, "curation", "changed", "status", "maybe", "excluded"),
        ("cora", PMID, "curation", "changed", "exclusion_reason", "", "Not a case series"),
        ("cora", PMID, "curation", "changed", "tags", "lung, pediatric", "lung"),
    ]


def test_it_records_corrections_and_the_flag_a_reingest_sets(curator, tmp_path):
    assert ingest_files([FIXTURES / "hawc_structured_abstract_21813367.xml"]).failed == 0
    curation.correct(PMID, "title", "Corrected title.", user=curator)
    curation.correct(PMID, "title", "Corrected title, again.", user=curator, note="typo")
    xml = (FIXTURES / "hawc_structured_abstract_21813367.xml").read_text(encoding="utf-8")
    newer = tmp_path / "v2.xml"
    newer.write_text(
        xml.replace('<PMID Version="1">', '<PMID Version="2">').replace(TITLE, "New title."),
        encoding="utf-8",
    )
    assert ingest_files([newer]).updated == 1

    assert rows(audit.entries([PMID])) == [
        ("cora", PMID, "correction title", "created", "original_value", "", TITLE),
        ("cora", PMID, "correction title", "created", "corrected_value", "", "Corrected title."),
        ("cora", PMID, "correction title", "created", "needs_review", "", "no"),
        (
            "cora",
            PMID,
            "correction title",
            "changed",
            "corrected_value",
            "Corrected title.",
            "Corrected title, again.",
        ),
        ("cora", PMID, "correction title", "changed", "note", "", "typo"),
        ("", PMID, "correction title", "changed", "needs_review", "no", "yes"),
        ("", PMID, "correction title", "changed", "source_value", "", "New title."),
    ]


def test_it_records_deleted_corrections_and_the_blocklist(record, curator):
    correction = curation.correct(PMID, "pub_date", "2011 Dec 1", user=curator)
    correction._history_user = curator
    correction.delete()
    blocked = BlockedPMID(pmid=PMID, reason="Duplicate", blocked_by=curator)
    blocked._history_user = curator
    blocked.save()

    assert rows(audit.entries([PMID]))[3:] == [
        ("cora", PMID, "correction pub_date", "deleted", "original_value", "2011 Dec", ""),
        ("cora", PMID, "correction pub_date", "deleted", "corrected_value", "2011 Dec 1", ""),
        ("cora", PMID, "correction pub_date", "deleted", "needs_review", "no", ""),
        ("cora", PMID, "blocklist", "created", "reason", "", "Duplicate"),
        ("cora", PMID, "blocklist", "created", "blocked_by", "", "cora"),
    ]


def test_the_admin_shows_an_articles_audit_trail_with_the_user_of_each_request(record, curator):
    client = Client()
    client.force_login(curator)
    Tag.objects.create(name="pediatric")
    client.post(
        "/admin/articles/article/",
        {"action": "set_status_included", "_selected_action": [str(PMID)], "tag": ""},
    )
    client.post(
        f"/admin/articles/curation/{PMID}/change/",
        {"status": "included", "notes": "Five patients.", "tags": [], "article": PMID},
    )

    response = client.get(f"/admin/articles/curation/{PMID}/history/")

    assert response.status_code == 200
    assert rows(response.context["entries"]) == [
        ("cora", PMID, "curation", "created", "status", "", "included"),
        ("cora", PMID, "curation", "created", "reviewed_by", "", "cora"),
        ("cora", PMID, "curation", "changed", "notes", "", "Five patients."),
    ]
    html = response.content.decode()
    assert "<td>Five patients.</td>" in html


def test_the_audit_trail_of_a_vocabulary_change_is_exported_too(curator):
    tag = Tag.objects.create(name="pediatric")
    tag.name = "paediatric"
    tag.save()

    vocabulary = [e for e in audit.entries() if e.subject.startswith("tag")]

    assert [(e.action, e.field, e.before, e.after) for e in vocabulary] == [
        ("created", "name", "", "pediatric"),
        ("changed", "name", "pediatric", "paediatric"),
    ]
    assert Correction.objects.count() == 0
