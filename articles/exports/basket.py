"""The basket: articles a visitor picks across pages and searches, kept in their session
like PubMed's clipboard, to view and export together."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "basket"
# PubMed's clipboard holds 500 items; a session row stays small at that size.
LIMIT = 500


class Basket:
    """PMIDs in the order they were added. The session is read only when the basket is
    used, so pages that never look at it cost no session query."""

    def __init__(self, session: SessionBase) -> None:
        self.session = session

    @property
    def pmids(self) -> list[int]:
        return list(self.session.get(SESSION_KEY, []))

    def __len__(self) -> int:
        return len(self.pmids)

    def __contains__(self, pmid: object) -> bool:
        return pmid in self.pmids

    def __iter__(self) -> Iterator[int]:
        return iter(self.pmids)

    def add(self, pmids: Iterable[int]) -> int:
        """Add what is not there yet, up to ``LIMIT``; returns how many were added."""
        current = self.pmids
        seen = set(current)
        added = 0
        for pmid in pmids:
            if pmid in seen or len(current) >= LIMIT:
                continue
            current.append(pmid)
            seen.add(pmid)
            added += 1
        if added:
            self.session[SESSION_KEY] = current
        return added

    def remove(self, pmids: Iterable[int]) -> int:
        gone = set(pmids)
        current = self.pmids
        kept = [pmid for pmid in current if pmid not in gone]
        if len(kept) != len(current):
            self.session[SESSION_KEY] = kept
        return len(current) - len(kept)

    def clear(self) -> None:
        self.session.pop(SESSION_KEY, None)
