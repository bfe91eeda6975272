"""Cue phrases, written as plain text and normalised like the text they are looked for in."""

from __future__ import annotations

from collections.abc import Iterable, Set
from itertools import compress, count

from articles.text.recognise import text as t


def words(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of a literal list."""
    return tuple(text.split())


def phrases(text: str) -> list[str]:
    """The "|"-separated phrases of a literal list, spread over lines."""
    return [" ".join(p.split()) for p in text.split("|") if p.strip()]


def starts(norms: list[str], words: Set[str]) -> list[int]:
    """The indexes of ``norms`` that are in ``words``: picked out by ``map`` and
    ``compress``, not a loop over every word."""
    return list(compress(count(), map(words.__contains__, norms)))


class Phrases:
    """A set of phrases found as whole-word runs of normalised tokens."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            words = tuple(w.norm for w in t.tokens(phrase))
            self.first.setdefault(words[0], []).append(words)
        for options in self.first.values():
            options.sort(key=len, reverse=True)

    def at(self, norms: list[str], index: int) -> int:
        """The length in words of the longest phrase starting at ``index``, or 0."""
        for words in self.first.get(norms[index], ()):
            if tuple(norms[index : index + len(words)]) == words:
                return len(words)
        return 0

    def find(self, norms: list[str], at: Iterable[int] | None = None) -> list[tuple[int, int]]:
        """``(first, last)`` token indexes of each phrase, longest first where they start
        together, left to right, not overlapping. ``at``, in order, are the only indexes
        where a phrase may start, if the caller knows them (``starts``)."""
        found = []
        first = self.first
        skip_to = 0
        if at is None:
            at = starts(norms, first.keys())
        for index in at:
            if index < skip_to:
                continue
            options = first.get(norms[index])
            if options is None:
                continue
            for words in options:
                if len(words) == 1 or tuple(norms[index : index + len(words)]) == words:
                    found.append((index, index + len(words) - 1))
                    skip_to = index + len(words)
                    break
        return found
