"""Words of a text as the vocabulary sees them: normalised tokens with their offsets.

Vocabulary terms and article text go through the same ``tokens()`` so that cheap variants meet
in the middle: case ("Crohn Disease" / "crohn disease"), plurals ("diseases" / "disease",
"neuropathies" / "neuropathy"), hyphens and spaces ("graft-versus-host" / "graft versus
host"), possessives ("Crohn's disease" / "Crohn disease"), accents ("Sjögren" / "Sjogren") and
Greek letters ("TNF-α" / "TNF-alpha"). Normalising word by word keeps every token's place in
the original text, so a match always points back at the exact characters it came from.

Punctuation other than hyphens and apostrophes (commas, brackets, slashes, full stops, line
breaks) breaks a phrase: "lung, disease" is not "lung disease".
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any

# Characters that may stand between two words of one phrase.
JOINING = frozenset(" \t-\u00a0\u2010\u2011\u2012\u2013'\u2019")
APOSTROPHES = frozenset("'\u2019")
HYPHENS = frozenset({"-", "\u2010", "\u2011"})
# Prefixes written with or without a hyphen: "hyper-calciuria" is "hypercalciuria".
PREFIXES = frozenset(
    re.findall(r"\w+", "anti hyper hypo non pre post peri intra extra sub supra trans pseudo")
    + re.findall(r"\w+", "poly micro macro neo re co de para")
)
GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
}
# Phrase break as it appears in a normalised string; never part of a term.
BREAK = "|"


@dataclass(slots=True)  # not frozen: a frozen dataclass is slower to make
class Token:
    start: int
    end: int
    text: str  # the original characters
    norm: str  # casefolded, singular, accents and Greek letters spelled out
    broken: bool  # punctuation (not a hyphen or space) stands before it


@dataclass(slots=True)
class Tokens:
    """The words of a text as parallel lists, one item a word: what ``Token`` holds, without
    an object per word (an abstract has hundreds, and most texts are read only once)."""

    start: list[int]
    end: list[int]
    text: list[str]
    norm: list[str]
    broken: list[bool]

    def __len__(self) -> int:
        return len(self.norm)


class _Cache(dict):
    """A function's results by argument, a plain dict: faster to read than ``lru_cache``
    where it is read a whole text at a time with ``map``. Cleared when it grows too big."""

    def __init__(self, function: Callable[[str], Any]) -> None:
        super().__init__()
        self.function = function

    def __missing__(self, key: str) -> Any:
        value = self[key] = self.function(key)
        return value


def _gap_breaks(gap: str) -> bool:
    """Whether the characters between two words break a phrase."""
    return not JOINING.issuperset(gap)


CACHE_SIZE = 1 << 16
_BREAKS = _Cache(_gap_breaks)


# A word and the characters before it, in turns: "Crohn's disease" is
# ["", "Crohn", "'", "s", " ", "disease", ""].
SPLIT = re.compile(r"([^\W_]+)")
# The same for a text in ASCII (nearly all), where a plain character class is faster.
SPLIT_ASCII = re.compile(r"([A-Za-z0-9]+)")
# One apostrophe or hyphen between two words: a possessive or a prefix may need folding.
# (The lookbehind comes last: put first, ``re`` tried it at every character of the text, which
# cost more than the rest of ``tokenise``.)
FOLDABLE = re.compile(r"['\u2019\-\u2010\u2011](?=[^\W_])(?<=[^\W_].)")


# A match's offsets read by ``map`` over ``finditer``, without a bytecode loop.
MATCH_START = re.Match.start
MATCH_END = re.Match.end


def tokenise(text: str) -> Tokens:
    """The words of ``text`` in order. A possessive "'s" is dropped (its characters stay
    inside the spans of matches that run past it). Most of the work is done a whole text
    at a time by ``re``, ``itertools`` and ``map``: a Python loop over every word was most
    of the recogniser's cost."""
    parts = (SPLIT_ASCII if text.isascii() else SPLIT).split(text)
    offsets = list(accumulate(map(len, parts)))
    start = offsets[0:-1:2]
    end = offsets[1::2]
    texts = parts[1::2]
    gaps = parts[0:-1:2]
    if len(_BREAKS) > CACHE_SIZE:
        _BREAKS.clear()
    if len(_NORMS) > CACHE_SIZE:
        _NORMS.clear()
    broken = list(map(_BREAKS.__getitem__, gaps))
    if broken:
        broken[0] = False  # nothing before the first word to break from
    tokens = Tokens(start, end, texts, list(map(_NORMS.__getitem__, texts)), broken)
    if len(texts) > 1:
        places = list(map(MATCH_START, FOLDABLE.finditer(text)))
        if places:
            _fold(tokens, places, text)
    return tokens


def _fold(tokens: Tokens, places: list[int], text: str) -> None:
    """Drop possessive "'s" and join prefixes to their words ("hyper-calciuria"), in place.
    ``places`` are the offsets of the apostrophes and hyphens that stand alone between two
    words (``FOLDABLE``)."""
    # The word after each, numbered as ``SPLIT`` found the words.
    candidates = [bisect_left(tokens.start, place + 1) for place in places]
    removed = 0  # words dropped or joined so far: word i of the split is token i - removed
    dropped = -1  # the split word last dropped as a possessive
    for i, place in zip(candidates, places, strict=True):
        index = i - removed
        word = tokens.text[index]
        end = tokens.end[index]
        gap = text[place]
        if (
            word in ("s", "S")
            and gap in APOSTROPHES
            and dropped != i - 1  # the word before it is a token, not a dropped "s"
            and (end == len(text) or not text[end].isalnum())
        ):
            _delete(tokens, index)
            removed += 1
            dropped = i
        elif gap in HYPHENS and tokens.norm[index - 1] in PREFIXES and word[0].isalpha():
            # "hyper-calciuria" is "hypercalciuria", "anti-bacterial" "antibacterial".
            joined = text[tokens.start[index - 1] : end]
            tokens.end[index - 1] = end
            tokens.text[index - 1] = joined
            tokens.norm[index - 1] = normalise_word(joined.replace("-", ""))
            _delete(tokens, index)
            removed += 1


def _delete(tokens: Tokens, index: int) -> None:
    del tokens.start[index], tokens.end[index], tokens.text[index]
    del tokens.norm[index], tokens.broken[index]


def tokens(text: str) -> list[Token]:
    """The words of ``text`` (``tokenise``) as one object a word."""
    found = tokenise(text)
    return list(map(Token, found.start, found.end, found.text, found.norm, found.broken))


@lru_cache(maxsize=CACHE_SIZE)
def normalise_word(word: str) -> str:
    if not word.isascii():
        word = _plain(word)
    low = word.lower()
    if len(word) >= 2 and word.isupper():
        # An abbreviation keeps its final S: "AIDS" is not "aid".
        return low
    if len(word) >= 3 and word[-1] == "s" and word[:-1].isupper():
        return low[:-1]  # "NSAIDs"
    if len(low) > 3 and low.isalpha():
        return american(singular(low))
    return low


def _interned_norm(word: str) -> str:
    """``normalise_word``, interned: the vocabulary interns its words too (``Vocabulary``),
    so a lookup finds the very same string object and never compares characters, which spares
    a cache miss a word in a dictionary of 90,000."""
    return sys.intern(normalise_word.__wrapped__(word))


# What ``tokenise`` reads normalised words from (``normalise_word`` keeps its own cache for
# its other callers).
_NORMS = _Cache(_interned_norm)


def american(word: str) -> str:
    """British spellings as MeSH writes them: "haemorrhage", "oedema", "diarrhoea",
    "tumour", "immunisation"."""
    if "ae" in word:
        word = word.replace("ae", "e")
    if "oe" in word:
        word = word.replace("oe", "e")
    if word.endswith("our") and len(word) > 5:
        word = word[:-3] + "or"
    if "isation" in word:
        word = word.replace("isation", "ization")
    return word


def singular(word: str) -> str:
    """A cheap singular, the same for every word, so that term and text agree ("diseases",
    "neuropathies", "abscesses", "viruses"); Latin plurals are left alone."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "uses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _plain(word: str) -> str:
    out = []
    for char in word:
        if char in GREEK:
            out.append(GREEK[char])
            continue
        decomposed = unicodedata.normalize("NFKD", char)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)) or char)
    return "".join(out)


def key(words: list[Token]) -> str:
    """The normalised form of a run of tokens; a phrase break inside becomes ``BREAK``."""
    parts = []
    for index, token in enumerate(words):
        if index and token.broken:
            parts.append(BREAK)
        parts.append(token.norm)
    return " ".join(parts)


def cased(words: list[Token]) -> str:
    """The original spelling of a run of tokens (for terms whose case carries meaning), a
    plural "s" after capitals dropped ("NSAIDs" is "NSAID")."""
    parts = []
    for token in words:
        text = token.text if token.text.isascii() else _plain(token.text)
        if len(text) >= 3 and text[-1] == "s" and text[:-1].isupper():
            text = text[:-1]
        parts.append(text)
    return " ".join(parts)


# The punctuation is matched rather than looked behind for, so that ``re`` can skip to the
# next candidate character: a third faster, with the same ends. One character class first,
# the line break's included (a branch first, "[.!?;]...|\n", has ``re`` try every
# character again: twice as slow).
SENTENCE_END = re.compile(r"[.!?;\n](?:(?<=\n)|(?<=[.!?;])\s+(?=[A-Z0-9(\[]))")


def sentence_starts(text: str) -> list[int]:
    """Offsets where sentences begin (after ". ", "? ", "; " or a line break)."""
    return [0, *map(MATCH_END, SENTENCE_END.finditer(text))]
