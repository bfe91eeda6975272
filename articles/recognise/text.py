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
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

WORD = re.compile(r"[^\W_]+")
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


@dataclass(slots=True)  # not frozen: a frozen dataclass is slower to make, and abstracts
class Token:  # have hundreds
    start: int
    end: int
    text: str  # the original characters
    norm: str  # casefolded, singular, accents and Greek letters spelled out
    broken: bool  # punctuation (not a hyphen or space) stands before it


def tokens(text: str) -> list[Token]:
    """The words of ``text`` in order. A possessive "'s" is dropped (its characters stay
    inside the spans of matches that run past it)."""
    found: list[Token] = []
    previous_end = 0
    for match in WORD.finditer(text):
        start, end = match.span()
        word = match.group()
        if start == previous_end + 1 and text[previous_end] == " ":
            broken = False  # the usual case: one space
        else:
            gap = text[previous_end:start]
            if (
                word in ("s", "S")
                and gap in APOSTROPHES
                and found
                and previous_end == found[-1].end
                and (end == len(text) or not text[end].isalnum())
            ):
                previous_end = end
                continue
            broken = bool(found) and any(c not in JOINING for c in gap)
            if (
                not broken
                and gap in HYPHENS
                and found
                and found[-1].norm in PREFIXES
                and word[0].isalpha()
            ):
                # "hyper-calciuria" is "hypercalciuria", "anti-bacterial" "antibacterial".
                joined = found.pop()
                start = joined.start
                word = text[start:end]
                broken = joined.broken
                found.append(Token(start, end, word, normalise_word(word.replace("-", "")), broken))
                previous_end = end
                continue
        found.append(Token(start, end, word, normalise_word(word), broken))
        previous_end = end
    return found


@lru_cache(maxsize=1 << 16)
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


SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(\[])|\n")


def sentence_starts(text: str) -> list[int]:
    """Offsets where sentences begin (after ". ", "? ", "; " or a line break)."""
    return [0] + [m.end() for m in SENTENCE_END.finditer(text)]
