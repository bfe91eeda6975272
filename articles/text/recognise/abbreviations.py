"""Abbreviations an abstract defines for itself: "interstitial lung disease (ILD)".

Schwartz and Hearst's algorithm (A simple algorithm for identifying abbreviation definitions
in biomedical text, PSB 2003): a short form in brackets after its long form, "long form (SF)",
or the other way round, "SF (long form)"; the long form is the shortest run of preceding words
in which the short form's letters occur in order, its first letter starting a word.

Compound short forms built from parts ("ILD-PM/DM" after "interstitial lung disease (ILD)
associated with polymyositis/dermatomyositis") define each part the text spells out: "PM" as
"polymyositis", "DM" as "dermatomyositis"; a part defined earlier keeps its definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BRACKETED = re.compile(r"\(([^()]{1,100})\)")
WORDS = re.compile(r"\S+")
PARTS = re.compile(r"[-/]")
LIST_SEPARATOR = re.compile(r"[;,]\s")


@dataclass(frozen=True, slots=True)
class Definition:
    short: str
    long: str
    short_start: int  # where the short form's defining mention is, in the text given
    long_start: int
    long_end: int


def definitions(text: str) -> list[Definition]:
    """Every definition in ``text``, in order; a compound short form's parts as their own
    definitions, after the compound's."""
    found: list[Definition] = []
    defined: set[str] = set()
    for bracket in BRACKETED.finditer(text):
        inner = LIST_SEPARATOR.split(bracket.group(1), maxsplit=1)[0].strip()
        inner_start = bracket.start(1) + bracket.group(1).find(inner)
        before = text[: bracket.start()]
        definition = None
        if is_short_form(inner):
            definition = _long_form_before(inner, inner_start, before)
        elif len(inner.split()) >= 2:
            definition = _short_form_before(inner, inner_start, before)
        if definition is None and is_short_form(inner) and PARTS.search(inner):
            definition = Definition(inner, "", inner_start, inner_start, inner_start)
        if definition is None or definition.short in defined:
            continue
        found.append(definition)
        defined.add(definition.short)
        if PARTS.search(definition.short):
            for part in _parts(definition, text, defined):
                found.append(part)
                defined.add(part.short)
    return found


def is_short_form(candidate: str) -> bool:
    """Schwartz-Hearst's test: at most two words and ten characters, a letter in it, starting
    with a letter or digit; and, ours, a capital (lower-case brackets are mostly words)."""
    return (
        2 <= len(candidate) <= 10
        and len(candidate.split()) <= 2
        and candidate[0].isalnum()
        and any(map(str.isalpha, candidate))
        and any(map(str.isupper, candidate))
    )


def best_long_form(short: str, long: str) -> str | None:
    """The shortest tail of ``long`` whose letters include ``short``'s in order, the first
    one starting a word (Schwartz and Hearst's ``findBestLongForm``)."""
    s = len(short) - 1
    at = len(long) - 1
    # In ASCII (nearly always) a character's lower case is one character, so the lowered
    # text keeps its offsets and ``rfind`` can look for each letter.
    lowered = long.lower() if long.isascii() and short.isascii() else None
    while s >= 0:
        char = short[s].lower()
        if not char.isalnum():
            s -= 1
            continue
        if lowered is not None:
            at = lowered.rfind(char, 0, at + 1)
            while s == 0 and at > 0 and long[at - 1].isalnum():
                at = lowered.rfind(char, 0, at)
        while at >= 0 and (
            long[at].lower() != char or (s == 0 and at > 0 and long[at - 1].isalnum())
        ):
            at -= 1
        if at < 0:
            return None
        at -= 1
        s -= 1
    start = long.rfind(" ", 0, at + 1) + 1
    return long[start:]


def _long_form_before(short: str, short_start: int, before: str) -> Definition | None:
    window = _last_words(before, min(len(short) + 5, len(short) * 2))
    # The long form stays in its sentence and does not run back over another bracket.
    for index in range(len(window) - 1, -1, -1):
        word = window[index].group()
        if word.endswith((".", ";", ")")) and index < len(window) - 1:
            window = window[index + 1 :]
            break
    if not window:
        return None
    start = window[0].start()
    candidate = before[start:].rstrip()
    long = best_long_form(short, candidate)
    if not long or len(long) <= len(short) or short.lower() in long.lower().split():
        return None
    long_start = start + len(candidate) - len(long)
    return Definition(short, long, short_start, long_start, long_start + len(long))


def _last_words(text: str, count: int) -> list[re.Match[str]]:
    """The last ``count`` runs of non-space characters in ``text`` (all, if it has fewer),
    read from near its end: an abstract's brackets would otherwise each cost a pass over all
    the words before them."""
    reach = 32 * count
    while True:
        at = max(0, len(text) - reach)
        words = list(WORDS.finditer(text, at))
        if at and words and words[0].start() == at and not text[at - 1].isspace():
            del words[0]  # the end of a word that starts before ``at``
        if len(words) >= count or at == 0:
            return words[-count:]
        reach *= 4


def _short_form_before(long: str, long_start: int, before: str) -> Definition | None:
    # The last run of non-space characters before the bracket.
    stripped = before.rstrip()
    if not stripped:
        return None
    last = stripped.rsplit(None, 1)[-1]
    short = last.strip(".,;:")
    if not is_short_form(short) or best_long_form(short, long) is None:
        return None
    if len(long.split()) > len(short) * 2 + 2:
        return None
    start = len(stripped) - len(last)
    return Definition(short, long, start, long_start, long_start + len(long))


def _parts(compound: Definition, text: str, defined: set[str]) -> list[Definition]:
    """Definitions of a compound's parts that the words before it spell out: each part's
    letters in order in one word (or two), the first starting it, nearest first."""
    found = []
    before = text[: compound.short_start]
    words = list(re.finditer(r"[A-Za-z][\w']*", before))[-(len(compound.short) * 2 + 5) :]
    for part in PARTS.split(compound.short):
        if not is_short_form(part) or part in defined:
            continue
        for index in range(len(words) - 1, -1, -1):
            for span in (1, 2):
                chosen = words[index : index + span]
                if len(chosen) < span:
                    continue
                start, end = chosen[0].start(), chosen[-1].end()
                phrase = text[start:end]
                if phrase[0].lower() != part[0].lower():
                    continue
                long = best_long_form(part, phrase)
                if long == phrase and len(phrase) > len(part):
                    found.append(Definition(part, phrase, compound.short_start, start, end))
                    break
            else:
                continue
            break
    return found
