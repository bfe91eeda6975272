"""The curation audit trail, read from django-simple-history's tables.

Every save of a ``Curation`` (and every change of its tags), ``Correction``, ``BlockedPMID``,
``Tag`` and ``ExclusionReason`` leaves a historical row with who and when. This module turns
consecutive rows of one object into entries that say what changed: one ``AuditEntry`` per
changed field, with its value before and after, as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model

from articles.models import BlockedPMID, Correction, Curation, ExclusionReason, Tag

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class AuditEntry:
    when: dt.datetime
    who: str  # username, or "" for ingest and other unattended changes
    pmid: int | None
    subject: str  # "curation", "correction title", "blocklist", "tag Lung", ...
    action: str  # created, changed, deleted
    field: str
    before: str
    after: str

    def as_dict(self) -> dict:
        return {
            "when": self.when.isoformat(),
            "who": self.who,
            "pmid": self.pmid,
            "subject": self.subject,
            "action": self.action,
            "field": self.field,
            "before": self.before,
            "after": self.after,
        }


FIELDS = ("when", "who", "pmid", "subject", "action", "field", "before", "after")


class _Names:
    """Names of users, tags and reasons, loaded once per audit read."""

    def __init__(self) -> None:
        self.users = dict(get_user_model().objects.values_list("pk", "username"))
        self.tags = dict(Tag.history.values_list("id", "name"))  # deleted tags too
        self.reasons = dict(ExclusionReason.history.values_list("id", "name"))

    def user(self, pk: int | None) -> str:
        return self.users.get(pk, "") if pk else ""


def _curation_state(record, names: _Names, tag_ids: dict[int, list[int]]) -> dict[str, str]:
    return {
        "status": record.status,
        "exclusion_reason": names.reasons.get(record.exclusion_reason_id, "")
        if record.exclusion_reason_id
        else "",
        "tags": ", ".join(sorted(names.tags.get(t, str(t)) for t in tag_ids.get(record.pk, []))),
        "notes": record.notes,
        "reviewed_by": names.user(record.reviewed_by_id),
    }


def _correction_state(record, names: _Names) -> dict[str, str]:
    return {
        "original_value": record.original_value,
        "corrected_value": record.corrected_value,
        "note": record.note,
        "needs_review": "yes" if record.needs_review else "no",
        "source_value": record.source_value,
    }


def _blocked_state(record, names: _Names) -> dict[str, str]:
    return {"reason": record.reason, "blocked_by": names.user(record.blocked_by_id)}


def _vocabulary_state(record, names: _Names) -> dict[str, str]:
    return {"name": record.name, "description": record.description}


def _entries(
    records: Iterable,
    key,
    state,
    subject,
    pmid,
    names: _Names,
) -> Iterator[AuditEntry]:
    """Diff each historical row against the one before it of the same object."""
    previous: dict = {}
    for record in records:
        now = state(record)
        before = previous.get(key(record))
        action = ACTIONS[record.history_type]
        empty = dict.fromkeys(now, "")
        old = before if before is not None else empty
        new = empty if record.history_type == "-" else now
        if record.history_type == "-":
            old = before if before is not None else now
        for field, value in new.items():
            if old[field] != value:
                yield AuditEntry(
                    when=record.history_date,
                    who=names.user(record.history_user_id),
                    pmid=pmid(record),
                    subject=subject(record),
                    action=action,
                    field=field,
                    before=old[field],
                    after=value,
                )
        previous[key(record)] = now


def entries(pmids: Iterable[int] | None = None) -> list[AuditEntry]:
    """Every audit entry, oldest first; only those about ``pmids`` when given (then the
    vocabulary's own history, which belongs to no article, is left out)."""
    names = _Names()
    curations = Curation.history.order_by("history_date", "history_id")
    corrections = Correction.history.order_by("history_date", "history_id")
    blocked = BlockedPMID.history.order_by("history_date", "history_id")
    if pmids is not None:
        pmids = list(pmids)
        curations = curations.filter(article_id__in=pmids)
        corrections = corrections.filter(article_id__in=pmids)
        blocked = blocked.filter(pmid__in=pmids)
    tag_ids: dict[int, list[int]] = {}
    for history_id, tag_id in _tag_rows(curations):
        tag_ids.setdefault(history_id, []).append(tag_id)
    found: list[AuditEntry] = [
        *_entries(
            curations,
            lambda r: r.article_id,
            lambda r: _curation_state(r, names, tag_ids),
            lambda r: "curation",
            lambda r: r.article_id,
            names,
        ),
        *_entries(
            corrections,
            lambda r: r.id,
            lambda r: _correction_state(r, names),
            lambda r: f"correction {r.field}",
            lambda r: r.article_id,
            names,
        ),
        *_entries(
            blocked,
            lambda r: r.pmid,
            lambda r: _blocked_state(r, names),
            lambda r: "blocklist",
            lambda r: r.pmid,
            names,
        ),
    ]
    if pmids is None:
        for model, kind in ((Tag, "tag"), (ExclusionReason, "exclusion reason")):
            found.extend(
                _entries(
                    model.history.order_by("history_date", "history_id"),
                    lambda r: r.id,
                    lambda r: _vocabulary_state(r, names),
                    lambda r, kind=kind: f"{kind} {r.id}",
                    lambda r: None,
                    names,
                )
            )
    found.sort(key=lambda e: e.when)
    return found


def _tag_rows(curations) -> list[tuple[int, int]]:
    """(historical curation id, tag id) of every tag each historical row held."""
    history_tags = apps.get_model("articles", "HistoricalCuration_tags")
    return list(
        history_tags.objects.filter(history__in=curations.values("history_id")).values_list(
            "history_id", "tag_id"
        )
    )
