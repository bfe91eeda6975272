"""Negated mentions, NegEx style (Chapman et al., J Biomed Inform 2001): a trigger before
("no evidence of tuberculosis", "without fever") or after ("sarcoidosis was excluded") a
mention negates it within a few words, unless a termination word ("but", "however") or the end
of the sentence comes between. Pseudo-triggers ("no change", "could not be excluded") look
like triggers and negate nothing.
"""

from __future__ import annotations

from articles.text.recognise import text as t
from articles.text.recognise.cues import Phrases, phrases, starts, words

BEFORE = Phrases(
    phrases(
        """
    no|not|without|no evidence of|no sign of|no signs of|negative for|absence of|absent|
    free of|ruled out|rule out|excluded|exclude|denied|denies|deny|never|neither|nor|
    lack of|lacked|no history of|unremarkable for|did not have|did not develop|
    did not show|did not reveal|failed to reveal|no further|none of|misdiagnosed as|
    misdiagnosed|misdiagnosis of|misdiagnosis as|mistaken for|simulating|simulated|
    mimicking|mimicked|mimic|mimics
    """
    )
)
AFTER = Phrases(
    phrases(
        """
    was excluded|were excluded|was ruled out|were ruled out|has been ruled out|
    have been ruled out|had been ruled out|was absent|were absent|was not found|
    were not found|was not detected|were not detected|was not seen|were not seen|
    was not observed|were not observed|was negative|were negative|is unlikely|was unlikely|
    did not occur|was not present|were not present|could be excluded|was not confirmed
    """
    )
)
PSEUDO = Phrases(
    phrases(
        """
    no increase|no change|no significant change|not only|not necessarily|not certain|
    no longer|gram negative|not ruled out|could not be ruled out|cannot be ruled out|
    could not be excluded|cannot be excluded|not be excluded|not excluded|no doubt|
    not always|not clear|not known|not well|not yet|not fully|not associated|not related|
    without any doubt|no difference|no significant difference|not significantly|
    not previously|not been reported|not reported|not uncommon|not rare|not unusual|
    no response|not respond|not responding|did not respond|no improvement|not improve|
    did not improve|not effective|without improvement|without response|not controlled
    """
    )
)
TERMINATE = frozenset(
    t.normalise_word(w)
    for w in words(
        """but however although though except yet which who whereas while aside apart
        nevertheless because since whose presented developed revealed showed underwent
        diagnosed confirmed"""
    )
)
FIRST_WORDS = frozenset(BEFORE.first) | frozenset(AFTER.first) | frozenset(PSEUDO.first)
WINDOW_BEFORE = 6
WINDOW_AFTER = 5


def negated_tokens(norms: list[str], stops: list[bool]) -> tuple[set[int], set[int]]:
    """Token indexes in the scope of a trigger before them, and of a trigger after them, from
    the tokens' normalised words. ``stops[i]`` is true where a sentence or clause ends before
    token ``i``."""
    forward: set[int] = set()
    backward: set[int] = set()
    # One pass for the three phrase lists: many texts have none of their first words.
    if FIRST_WORDS.isdisjoint(norms):
        return forward, backward
    at = starts(norms, FIRST_WORDS)
    pseudo = set()
    for first, last in PSEUDO.find(norms, at):
        pseudo.update(range(first, last + 1))
    for first, last in BEFORE.find(norms, at):
        if first in pseudo:
            continue
        for index in range(last + 1, min(last + 1 + WINDOW_BEFORE, len(norms))):
            if stops[index] or norms[index] in TERMINATE:
                break
            forward.add(index)
    for first, _last in AFTER.find(norms, at):
        if first in pseudo:
            continue
        index = first - 1
        while index >= 0 and first - index <= WINDOW_AFTER and norms[index] not in TERMINATE:
            backward.add(index)
            if stops[index]:
                break
            index -= 1
    return forward, backward
