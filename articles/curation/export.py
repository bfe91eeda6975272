"""Curators' work as files: decisions (status, reason, tags, notes), corrections, the
blocklist and the audit trail, as one JSON document or one CSV table each.

Used by ``manage.py export_curation`` and by the admin's export actions. Values are text or
numbers as stored; times are ISO 8601 in UTC; people are usernames ("" when nobody, e.g.
an ingest flagging a correction).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from articles.curation import audit
from articles.curation.actions import label
from articles.models import BlockedPMID, Correction, Curation

TABLES = ("decisions", "corrections", "blocklist", "audit")
DECISION_FIELDS = (
    "pmid",
    "status",
    "exclusion_reason",
    "tags",
    "notes",
    "reviewed_by",
    "updated_by",
    "updated_at",
)
CORRECTION_FIELDS = (
    "pmid",
    "field",
    "label",
    "original_value",
    "corrected_value",
    "note",
    "needs_review",
    "source_value",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
)
BLOCKLIST_FIELDS = ("pmid", "reason", "blocked_by", "blocked_at")
FIELDS = {
    "decisions": DECISION_FIELDS,
    "corrections": CORRECTION_FIELDS,
    "blocklist": BLOCKLIST_FIELDS,
    "audit": audit.FIELDS,
}


def _username(user) -> str:
    return user.get_username() if user is not None else ""


def decisions(pmids: Iterable[int] | None = None) -> Iterator[dict]:
    curations = Curation.objects.select_related(
        "exclusion_reason", "reviewed_by", "updated_by"
    ).prefetch_related("tags")
    if pmids is not None:
        curations = curations.filter(article_id__in=list(pmids))
    for curation in curations.order_by("article_id"):
        yield {
            "pmid": curation.article_id,
            "status": curation.status,
            "exclusion_reason": curation.exclusion_reason.name if curation.exclusion_reason else "",
            "tags": sorted(tag.name for tag in curation.tags.all()),
            "notes": curation.notes,
            "reviewed_by": _username(curation.reviewed_by),
            "updated_by": _username(curation.updated_by),
            "updated_at": curation.updated_at.isoformat(),
        }


def corrections(pmids: Iterable[int] | None = None) -> Iterator[dict]:
    rows = Correction.objects.select_related("created_by", "updated_by")
    if pmids is not None:
        rows = rows.filter(article_id__in=list(pmids))
    for correction in rows.order_by("article_id", "field"):
        yield {
            "pmid": correction.article_id,
            "field": correction.field,
            "label": label(correction.field),
            "original_value": correction.original_value,
            "corrected_value": correction.corrected_value,
            "note": correction.note,
            "needs_review": correction.needs_review,
            "source_value": correction.source_value,
            "created_by": _username(correction.created_by),
            "created_at": correction.created_at.isoformat(),
            "updated_by": _username(correction.updated_by),
            "updated_at": correction.updated_at.isoformat(),
        }


def blocklist(pmids: Iterable[int] | None = None) -> Iterator[dict]:
    rows = BlockedPMID.objects.select_related("blocked_by")
    if pmids is not None:
        rows = rows.filter(pmid__in=list(pmids))
    for blocked in rows.order_by("pmid"):
        yield {
            "pmid": blocked.pmid,
            "reason": blocked.reason,
            "blocked_by": _username(blocked.blocked_by),
            "blocked_at": blocked.blocked_at.isoformat(),
        }


def audit_rows(pmids: Iterable[int] | None = None) -> Iterator[dict]:
    for entry in audit.entries(pmids):
        yield entry.as_dict()


ROWS = {
    "decisions": decisions,
    "corrections": corrections,
    "blocklist": blocklist,
    "audit": audit_rows,
}


def as_json(pmids: Iterable[int] | None = None) -> str:
    """Everything, as one JSON document: {"decisions": [...], "corrections": [...], ...}."""
    pmids = list(pmids) if pmids is not None else None
    document = {table: list(ROWS[table](pmids)) for table in TABLES}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def as_csv(table: str, pmids: Iterable[int] | None = None) -> str:
    """One table as CSV; tags are joined with "; ", booleans are "true"/"false"."""
    if table not in FIELDS:
        raise ValueError(f"no curation table {table!r}; use one of {', '.join(TABLES)}")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS[table], lineterminator="\n")
    writer.writeheader()
    for row in ROWS[table](list(pmids) if pmids is not None else None):
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return out.getvalue()


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    text = "; ".join(value) if isinstance(value, list) else str(value)
    # A spreadsheet would run a cell starting with these as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
