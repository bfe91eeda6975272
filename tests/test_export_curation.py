"""export_curation and the admin's export actions: decisions, tags, notes, corrections,
the blocklist and the audit trail, as CSV and JSON, exactly."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from articles.curation import actions as curation
from articles.models import BlockedPMID, Correction, Curation, ExclusionReason, Tag
from tests import factories

NOON = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
TITLE = (
    "Retrospective exposure estimation and predicted versus observed serum "
    "perfluorooctanoic acid concentrations for participants in the C8 Health Project."
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    factories.article(21813367)
    factories.article(29186030)
    return factories.curator()


@pytest.fixture
def curated(curator):
    reason = ExclusionReason.objects.create(name="Not a case series")
    curation.set_status([21813367], "included", user=curator)
    curation.set_status([29186030], "excluded", user=curator, reason=reason)
    curation.add_tag([21813367], Tag.objects.create(name="pediatric"), user=curator)
    curation.add_tag([21813367], Tag.objects.create(name="=cmd"), user=curator)
    Curation.objects.filter(pk=21813367).update(notes='Five patients;\n"two" boys')
    curation.correct(21813367, "title", "PFOA exposure, C8 Health Project.", user=curator)
    BlockedPMID.objects.create(pmid=12345, reason="Duplicate", blocked_by=curator)
    # Fixed times, so that the files can be compared byte for byte.
    Curation.objects.update(updated_at=NOON)
    Correction.objects.update(created_at=NOON, updated_at=NOON)
    BlockedPMID.objects.update(blocked_at=NOON)
    for model in (Curation, Correction, BlockedPMID, Tag, ExclusionReason):
        model.history.update(history_date=NOON)
    return curator


DECISIONS_CSV = (
    "pmid,status,exclusion_reason,tags,notes,reviewed_by,updated_by,updated_at\n"
    '21813367,included,,\'=cmd; pediatric,"Five patients;\n""two"" boys",cora,cora,'
    "2026-11-26T12:00:00+00:00\n"
    "29186030,excluded,Not a case series,,,cora,cora,2026-11-26T12:00:00+00:00\n"
)
CORRECTIONS_CSV = (
    "pmid,field,label,original_value,corrected_value,note,needs_review,source_value,"
    "created_by,created_at,updated_by,updated_at\n"
    f'21813367,title,Title,{TITLE},"PFOA exposure, C8 Health Project.",,false,,cora,'
    "2026-11-26T12:00:00+00:00,cora,2026-11-26T12:00:00+00:00\n"
)


def export(*args: str) -> str:
    out = StringIO()
    call_command("export_curation", *args, stdout=out)
    return out.getvalue()


def test_it_exports_decisions_as_csv(curated):
    assert export("--format", "csv") == DECISIONS_CSV


def test_it_exports_corrections_as_csv(curated):
    assert export("--format", "csv", "--table", "corrections") == CORRECTIONS_CSV


def test_it_exports_the_blocklist_and_audit_as_csv(curated):
    assert export("--format", "csv", "--table", "blocklist") == (
        "pmid,reason,blocked_by,blocked_at\n12345,Duplicate,cora,2026-11-26T12:00:00+00:00\n"
    )
    audit = export("--format", "csv", "--table", "audit").splitlines()
    assert audit[0] == "when,who,pmid,subject,action,field,before,after"
    assert audit[1:3] == [
        "2026-11-26T12:00:00+00:00,cora,21813367,curation,created,status,,included",
        "2026-11-26T12:00:00+00:00,cora,21813367,curation,created,reviewed_by,,cora",
    ]
    assert "2026-11-26T12:00:00+00:00,cora,21813367,curation,changed,tags,,pediatric" in audit


def test_it_exports_everything_as_json(curated, tmp_path):
    path = tmp_path / "curation.json"

    assert export("--format", "json", "--output", str(path)) == ""

    document = json.loads(path.read_text(encoding="utf-8"))
    assert list(document) == ["decisions", "corrections", "blocklist", "audit"]
    assert document["decisions"] == [
        {
            "pmid": 21813367,
            "status": "included",
            "exclusion_reason": "",
            "tags": ["=cmd", "pediatric"],
            "notes": 'Five patients;\n"two" boys',
            "reviewed_by": "cora",
            "updated_by": "cora",
            "updated_at": "2026-11-26T12:00:00+00:00",
        },
        {
            "pmid": 29186030,
            "status": "excluded",
            "exclusion_reason": "Not a case series",
            "tags": [],
            "notes": "",
            "reviewed_by": "cora",
            "updated_by": "cora",
            "updated_at": "2026-11-26T12:00:00+00:00",
        },
    ]
    assert document["corrections"] == [
        {
            "pmid": 21813367,
            "field": "title",
            "label": "Title",
            "original_value": TITLE,
            "corrected_value": "PFOA exposure, C8 Health Project.",
            "note": "",
            "needs_review": False,
            "source_value": "",
            "created_by": "cora",
            "created_at": "2026-11-26T12:00:00+00:00",
            "updated_by": "cora",
            "updated_at": "2026-11-26T12:00:00+00:00",
        }
    ]
    assert document["blocklist"] == [
        {
            "pmid": 12345,
            "reason": "Duplicate",
            "blocked_by": "cora",
            "blocked_at": "2026-11-26T12:00:00+00:00",
        }
    ]
    assert document["audit"][0] == {
        "when": "2026-11-26T12:00:00+00:00",
        "who": "cora",
        "pmid": 21813367,
        "subject": "curation",
        "action": "created",
        "field": "status",
        "before": "",
        "after": "included",
    }


def test_it_exports_only_the_pmids_asked_for(curated):
    text = export("--format", "csv", "--pmid", "29186030")

    assert text.splitlines()[1:] == [
        "29186030,excluded,Not a case series,,,cora,cora,2026-11-26T12:00:00+00:00"
    ]


def test_it_says_which_output_it_cannot_write(curated, tmp_path):
    with pytest.raises(CommandError, match="cannot write"):
        export("--format", "json", "--output", str(tmp_path / "missing" / "x.json"))


def test_the_admin_action_downloads_the_same_csv(curated):
    client = Client()
    client.force_login(curated)

    response = client.post(
        "/admin/articles/curation/",
        {"action": "export_decisions_csv", "_selected_action": ["21813367", "29186030"]},
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="casebook-decisions.csv"'
    assert response.content.decode() == DECISIONS_CSV


def test_the_admin_action_downloads_json_of_the_selected_articles(curated):
    client = Client()
    client.force_login(curated)

    response = client.post(
        "/admin/articles/article/",
        {"action": "export_json", "_selected_action": ["29186030"]},
    )

    document = json.loads(response.content)
    assert [d["pmid"] for d in document["decisions"]] == [29186030]
    assert document["corrections"] == []
