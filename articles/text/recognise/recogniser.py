"""Diseases, therapies and causes named in a title, an abstract and author keywords.

``recognise(title, abstract, keywords)`` finds every vocabulary term (``vocabulary.py``) on
word boundaries, longest match first, reads abbreviations the abstract defines
(``abbreviations.py``), and gives each mention a role from its words around it:

- a term from the disease trees is a **disease** of the patients, unless a negation scopes it
  (``negation.py``): then it comes back with ``negated=True`` for the caller to drop;
- a drug or procedure is a **cause** when the text says it caused the event ("methotrexate-
  induced", "induced by", "toxicity of", "adverse reaction to", "after liver biopsy"), and then
  also a therapy unless the patient was only exposed to it ("ingestion of", "overdose");
  otherwise a procedure is a **therapy**, and so is a drug when its sentence says something was
  given ("treated with", "received", a dose), marked ``prior`` when it was given before or
  failed ("refractory to", "previously treated with", "despite", "failed"); a drug only
  measured or named is nothing; words for disease or care in general are never reported;
- short forms and common-word entry terms are not trusted alone: they count when the abstract
  defines them, when the same concept is also named in full, or (a short form) when it is part
  of a compound with a defined one ("ILD-PM/DM").

Pure Python, no Django.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import compress, count, repeat
from pathlib import Path

from articles.text.recognise import abbreviations, negation
from articles.text.recognise import text as t
from articles.text.recognise import vocabulary as v
from articles.text.recognise.cues import Phrases, phrases, words

# Bump when the rules below change what ``recognise`` returns; with the vocabulary's version
# it tells a caller which stored concepts are outdated.
RULES = 3
VERSION = f"recognise-{RULES}+vocabulary-{v.VERSION}"

DISEASE = "disease"
THERAPY = "therapy"
CAUSE = "cause"

TITLE = "title"
ABSTRACT = "abstract"
KEYWORDS = "keywords"


@dataclass(frozen=True, slots=True)
class Evidence:
    source: str  # "title", "abstract" or "keywords" (joined by "; ")
    start: int
    end: int
    text: str  # == source_text[start:end]
    # A supplementary concept record the words named ("tocilizumab" C502936), reported as the
    # descriptor it maps to.
    supplementary_ui: str = ""
    supplementary_name: str = ""

    def as_dict(self) -> dict:
        return {"source": self.source, "start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class Concept:
    ui: str  # MeSH descriptor UI
    name: str
    role: str  # "disease", "therapy" or "cause"
    prior: bool
    negated: bool
    evidence: tuple[Evidence, ...]


@dataclass(slots=True)
class Mention:
    source: str
    first: int  # token indexes, inclusive
    last: int
    concept: int  # vocabulary concept (a descriptor or a supplementary record)
    flags: int
    defined: bool = False  # a short form the text defines
    negated: bool = False
    role: str = ""
    prior: bool = False
    also_therapy: bool = False  # a cause that was given as treatment too


@dataclass
class Source:
    name: str
    text: str
    tokens: t.Tokens
    stops: list[bool]  # a sentence or clause ends before token i
    # Where each sentence's tokens start, and the number of tokens: sentence k is tokens
    # ``bounds[k]`` to ``bounds[k + 1] - 1`` (``_sentence``).
    bounds: list[int]
    norms: list[str]
    negated_forward: set[int] | None = None  # worked out when a disease is named
    negated_backward: set[int] | None = None
    therapy_tokens: set[int] = field(default_factory=set)  # inside a drug or procedure term
    prior_ends: set[int] | None = None  # where prior-therapy cues end


_default: v.Vocabulary | None = None
_cache_directory: Path | None = None


def use_cache_directory(directory: str | Path) -> None:
    """Where ``recognise`` keeps the built vocabulary when no vocabulary is passed in."""
    global _cache_directory, _default
    _cache_directory = Path(directory)
    _default = None


def default_vocabulary() -> v.Vocabulary:
    global _default
    if _default is None:
        if _cache_directory is None:
            raise RuntimeError("call use_cache_directory(path) first, or pass a vocabulary")
        _default = v.Vocabulary.cached(_cache_directory)
    return _default


def recognise(
    title: str,
    abstract: str,
    keywords: Sequence[str] = (),
    vocabulary: v.Vocabulary | None = None,
) -> list[Concept]:
    """The record's concepts, one per (descriptor, role), in order of first mention."""
    vocabulary = vocabulary or default_vocabulary()
    sources = [
        _source(TITLE, title),
        _source(ABSTRACT, abstract),
        _source(KEYWORDS, "; ".join(keywords)),
    ]
    short_forms = _short_forms(sources, vocabulary)
    mentions: list[Mention] = []
    for source in sources:
        mentions.extend(_mentions(source, vocabulary, short_forms))
    mentions = _trusted(mentions, sources, vocabulary, short_forms)
    by_name = {source.name: source for source in sources}
    for mention in mentions:
        if vocabulary.kind(mention.concept) & v.THERAPY:
            by_name[mention.source].therapy_tokens.update(range(mention.first, mention.last + 1))
    for mention in mentions:
        _assign_role(mention, by_name[mention.source], vocabulary)
    _roles_from_other_mentions(mentions, vocabulary)
    return _concepts(mentions, by_name, vocabulary)


# Sources ------------------------------------------------------------------------------------

STOP = re.compile(r"[.;:!?\n]")


def _source(name: str, text: str) -> Source:
    tokens = t.tokenise(text)
    if not text:  # most records have no keywords, many no abstract
        return Source(name, text, tokens, [], [0, 0], tokens.norm)
    size = len(tokens)
    # Places of sentence and clause punctuation, a decimal point ("2.5") left out: each
    # stands between two words (never inside one), and ends the clause before the second.
    stops = [False] * size
    last = len(text) - 1
    token_starts = tokens.start
    for at in map(t.MATCH_START, STOP.finditer(text)):
        if text[at] == "." and 0 < at < last and text[at + 1].isdigit():
            continue  # a decimal point
        index = bisect_right(token_starts, at)
        if index < size:
            stops[index] = True
    starts = t.sentence_starts(text) if name != KEYWORDS else _keyword_starts(text)
    bounds = [0, *map(bisect_left, repeat(token_starts), starts[1:]), size]
    return Source(name, text, tokens, stops, bounds, tokens.norm)


def _sentence(source: Source, index: int) -> tuple[int, int]:
    """The first token of token ``index``'s sentence, and the first after it."""
    number = bisect_right(source.bounds, index) - 1
    return source.bounds[number], source.bounds[number + 1]


def _keyword_starts(text: str) -> list[int]:
    return [0, *map(t.MATCH_END, re.finditer(r"; ", text))]


# Abbreviations -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShortForm:
    senses: tuple[int, ...]
    source: str
    position: int  # where it was defined; valid in that source from here on


def _short_forms(sources: list[Source], vocabulary: v.Vocabulary) -> dict[str, ShortForm]:
    found: dict[str, ShortForm] = {}
    for source in sources[:2]:
        for definition in abbreviations.definitions(source.text):
            if definition.short in found:
                continue
            senses = _long_form_senses(definition.long, vocabulary) if definition.long else ()
            found[definition.short] = ShortForm(senses, source.name, definition.short_start)
    return found


def _long_form_senses(long: str, vocabulary: v.Vocabulary) -> tuple[int, ...]:
    chosen = _longest_first([(m, False) for m in vocabulary.find(t.tokenise(long))])
    senses = []
    for match, _defined in chosen:
        for sense in match.senses:
            if not v.flags_of(sense) & (v.WEAK | v.ABBREVIATION) and sense not in senses:
                senses.append(sense & ~v.CASED)
    return tuple(senses)


def _defined_here(
    index: int, source: Source, short_forms: dict[str, ShortForm]
) -> ShortForm | None:
    """The definition token ``index`` uses ("ILD", or "ILDs"), if the text has defined it by
    then: from its definition on in the same text, and anywhere in the others (the title is
    read with the abstract that explains it)."""
    text = source.tokens.text[index]
    form = short_forms.get(text)
    if form is None and text.endswith("s") and text[:-1].isupper():
        form = short_forms.get(text[:-1])
    if form is None or (form.source == source.name and source.tokens.start[index] < form.position):
        return None
    return form


# Matching ----------------------------------------------------------------------------------


def _longest_first(candidates: list[tuple[v.Match, bool]]) -> list[tuple[v.Match, bool]]:
    """Longest match first, then leftmost, a defined short form before a vocabulary term of
    the same length; nothing overlaps."""
    if len(candidates) < 2:
        return candidates  # most titles and keywords
    last = -1
    for match, _defined in candidates:
        if match.first <= last:
            break
        last = match.last
    else:
        return candidates  # left to right already, nothing overlapping: most abstracts
    candidates.sort(key=lambda c: (c[0].first - c[0].last, c[0].first, not c[1]))
    taken: set[int] = set()
    chosen = []
    for match, defined in candidates:
        span = range(match.first, match.last + 1)
        if not taken.isdisjoint(span):
            continue
        taken.update(span)
        chosen.append((match, defined))
    chosen.sort(key=lambda c: c[0].first)
    return chosen


def _mentions(
    source: Source, vocabulary: v.Vocabulary, short_forms: dict[str, ShortForm]
) -> list[Mention]:
    candidates = [(m, False) for m in vocabulary.find(source.tokens)]
    texts = source.tokens.text
    if short_forms:
        # The words ``_defined_here`` may take for a short form: one, or its plural.
        written = set(short_forms).union([short + "s" for short in short_forms])
        if not written.isdisjoint(texts):
            for index in compress(count(), map(written.__contains__, texts)):
                form = _defined_here(index, source, short_forms)
                if form is not None:
                    candidates.append((v.Match(index, index, form.senses), True))
    mentions = []
    name = source.name
    for match, defined in _longest_first(candidates):
        for sense in match.senses:
            # ``v.concept_of`` and ``v.flags_of``, inline.
            mentions.append(
                Mention(name, match.first, match.last, sense >> FLAG_BITS, sense & FLAGS, defined)
            )
    return mentions


FLAG_BITS = v.FLAG_BITS
FLAGS = (1 << v.FLAG_BITS) - 1


def _trusted(
    mentions: list[Mention],
    sources: list[Source],
    vocabulary: v.Vocabulary,
    short_forms: dict[str, ShortForm],
) -> list[Mention]:
    """Mentions to keep: short forms and common words only beside a defined short form in
    the same compound, or when the same descriptor is also named in a trusted way."""
    by_name = {source.name: source for source in sources}
    trusted_descriptors = set()
    for mention in mentions:
        if mention.defined or not mention.flags & (v.WEAK | v.ABBREVIATION):
            trusted_descriptors.update(vocabulary.descriptors(mention.concept))
    kept = []
    for mention in mentions:
        trusted = (
            mention.defined
            or not mention.flags & (v.WEAK | v.ABBREVIATION)
            or _qualified_general(mention, by_name[mention.source])
            or set(vocabulary.descriptors(mention.concept)) & trusted_descriptors
            or (
                mention.flags & v.ABBREVIATION
                and _in_defined_compound(mention, by_name[mention.source], short_forms)
            )
        )
        if trusted:
            kept.append(mention)
    return kept


FUNCTION_WORDS = frozenset(
    t.normalise_word(w)
    for w in words(
        """the a an this that these those of his her their its our your with and or to in for
        by on at as from no any other such same which was were is are be been had has have
        into than most more both each all"""
    )
)


def _qualified_general(mention: Mention, source: Source) -> bool:
    """A general word for disease with a word of its own before it: "metastatic carcinoma",
    "HIV-1 infection", not "the tumour"."""
    if mention.first == 0 or mention.first != mention.last:
        return False
    if source.norms[mention.first] not in v.GENERAL_DISEASES:
        return False
    before = source.norms[mention.first - 1]
    return not source.tokens.broken[mention.first] and (
        before not in FUNCTION_WORDS and not before.isdigit()
    )


def _in_defined_compound(
    mention: Mention, source: Source, short_forms: dict[str, ShortForm]
) -> bool:
    """Whether the words joined to this one by "-" or "/" (no space) include a short form
    the text defines: "PM" in "ILD-PM/DM"."""
    starts, ends, text = source.tokens.start, source.tokens.end, source.text
    index = mention.first
    while index > 0 and text[ends[index - 1] : starts[index]] in ("-", "/"):
        index -= 1
    end = mention.last
    while end + 1 < len(starts) and text[ends[end] : starts[end + 1]] in ("-", "/"):
        end += 1
    return any(
        i != mention.first and _defined_here(i, source, short_forms) is not None
        for i in range(index, end + 1)
    )


# Roles --------------------------------------------------------------------------------------


# Words that say something was given to the patients, as the starts of normalised words.
GIVEN = words(
    """treat therap receiv administ given giving dose dosage dosing mg mcg µg ug infusion infus
    inject oral intraven topical subcutan intramuscul intrathec intravitreal intralesion regimen
    start initiat prescri managed management respon course cycle taper discontinu withdraw
    switch prophyla premedic supplement underw undergo undergone perform transplant resect
    excis operat cure improv resolv reliev success effective efficacy use combin plus added
    addition maintenance salvage adjuvant neoadjuvant line chemotherap radiotherap
    immunotherap monotherap continu replac injection tablet pulse bolus weekly daily using
    usage"""
)
# Words that name a drug as given when they are part of its name ("vasopressor therapy").
TREATMENT_WORDS = frozenset(t.normalise_word(w) for w in words("therapy treatment regimen"))
# Words that say a substance was measured or found, not given (just before or after it).
MEASURED = words(
    """serum plasma level concentration titer titre antibod anti positiv negativ elevat
    increas decreas deficien express stain immunohisto marker measur assay detect
    urinary urine blood"""
)
CAUSED_AFTER = Phrases(
    phrases(
        """induced|associated|related|toxicity|toxic|overdose|poisoning|intoxication|exposure|
    ingestion|abuse|allergy|hypersensitivity|reaction|reactions|withdrawal|dependence|
    misuse|injury|damage|extravasation|complication|complications"""
    )
)
CAUSED_BEFORE = Phrases(
    phrases(
        """induced by|caused by|due to|secondary to|toxicity of|toxic effect of|
    toxic effects of|adverse reaction to|adverse reactions to|adverse effect of|
    adverse effects of|side effect of|side effects of|reaction to|exposure to|exposed to|
    ingestion of|ingested|overdose of|intoxication with|poisoning with|poisoning by|
    allergic to|hypersensitivity to|complicating|complication of|complications of|
    attributed to|associated with the use of|induced"""
    )
)
EXPOSURE = tuple(
    t.normalise_word(w)
    for w in words(
        """exposure exposed ingestion ingested overdose poisoning intoxication abuse misuse
        dependence withdrawal"""
    )
)
PRIOR_BEFORE = Phrases(
    phrases(
        """refractory to|resistant to|unresponsive to|despite|failed|failure of|failure to|
    previously treated with|previously received|previous|previously|prior|initially|
    initial|pretreated with|intolerant to|intolerance to|had received|had been treated with|
    no response to|did not respond to|not responding to|history of"""
    )
)
PRIOR_AFTER = Phrases(
    phrases(
        """failed|had failed|was ineffective|were ineffective|was unsuccessful|
    were unsuccessful|refractory|resistant|failure"""
    )
)
# Words that may stand in a list of therapies after a cue ("resistant to high-dose
# corticosteroid and cyclosporine A and/or cyclophosphamide") and words that end it.
LIST = frozenset(
    t.normalise_word(w)
    for w in words(
        """and or with plus such as including include both either a an the of high low dose
        oral intravenous iv combination combined therapy treatment agent regimen course
        standard conventional systemic topical"""
    )
)
CLAUSE = frozenset(
    t.normalise_word(w)
    for w in words("was were is are has have had then subsequently later but which who after")
)
# Words after a disease's name that make it name something else: its agent ("mumps virus",
# "severe acute respiratory syndrome coronavirus 2"), a vaccine against it ("polio vaccine",
# "tetanus toxoid"), or the times it spread, which are background to the patients ("the
# COVID-19 pandemic").
NOT_THE_DISEASE = frozenset(
    t.normalise_word(w) for w in words("virus coronavirus vaccine toxoid pandemic epidemic")
)
INFECTION_WORDS = frozenset(t.normalise_word(w) for w in words("infection disease"))
PRIOR_OTHER_WORDS = 2
CAUSE_WINDOW = 3
GIVEN_WINDOW = 8
BIOMOLECULE_WINDOW = 3


def _assign_role(mention: Mention, source: Source, vocabulary: v.Vocabulary) -> None:
    kind = vocabulary.kind(mention.concept)
    norms = source.norms
    if kind & v.GENERIC:
        return
    if kind & v.DISEASE:
        if _names_other_than_disease(mention, source):
            return
        mention.role = DISEASE
        if source.negated_forward is None:
            source.negated_forward, source.negated_backward = negation.negated_tokens(
                norms, source.stops
            )
        mention.negated = (
            mention.first in source.negated_forward or mention.last in source.negated_backward
        )
        return
    if source.name == KEYWORDS:
        # No context: a procedure is a therapy; a drug takes the role its other mentions
        # have, if any (``_roles_from_other_mentions``).
        if kind & v.PROCEDURE and not kind & v.DIAGNOSTIC:
            mention.role = THERAPY
        return
    cue = _caused(mention, source, norms)
    if cue or (kind & v.DIAGNOSTIC and _after(mention, source, norms)):
        mention.role = CAUSE
        # A drug that harmed was, unless the patient was exposed to it, given to treat.
        mention.also_therapy = (
            bool(cue)
            and not kind & v.DIAGNOSTIC
            and not any(cue.startswith(exposure) for exposure in EXPOSURE)
        )
    elif kind & v.DIAGNOSTIC:
        return
    elif _given(mention, source, norms, kind):
        mention.role = THERAPY
        mention.prior = _prior(mention, source, norms)


def _names_other_than_disease(mention: Mention, source: Source) -> bool:
    """Whether a word after the disease's name makes it name its agent, a vaccine or an
    epidemic (``NOT_THE_DISEASE``), and no word for infection follows that ("hepatitis B
    virus infection" is the disease)."""
    norms = source.norms
    after = mention.last + 1
    if after >= len(norms) or norms[after] not in NOT_THE_DISEASE or source.tokens.broken[after]:
        return False
    return after + 1 >= len(norms) or norms[after + 1] not in INFECTION_WORDS


def _sentence_words(mention: Mention, source: Source, window: int) -> tuple[list, list]:
    """Up to ``window`` normalised words of the mention's sentence before it and after it, in
    the text's order."""
    start, end = _sentence(source, mention.first)
    norms = source.norms
    before = norms[max(start, mention.first - window) : mention.first]
    return before, norms[mention.last + 1 : min(end, mention.last + 1 + window)]


def _caused(mention: Mention, source: Source, norms: list[str]) -> str:
    """The cue that makes the mention a cause ("induced", "toxicity of"...), or ""."""
    if _denied_before(mention, source):
        return ""  # "no adverse reactions were seen due to IVIG"
    after = mention.last + 1
    length = CAUSED_AFTER.at(norms, after) if after < len(norms) else 0
    if length:
        gap = source.text[source.tokens.end[mention.last] : source.tokens.start[after]]
        if gap in ("-", " ", "\u2010", "\u2011"):
            return " ".join(norms[after : after + length])
    start = max(0, mention.first - CAUSE_WINDOW - 4)
    window = norms[start : mention.first]
    if CAUSED_BEFORE.first.keys().isdisjoint(window):
        return ""  # most mentions: no cue's first word just before
    for first, last in CAUSED_BEFORE.find(window):
        first += start
        last += start
        if mention.first - last - 1 <= CAUSE_WINDOW and not any(
            source.stops[last + 1 : mention.first + 1]
        ):
            return " ".join(norms[first : last + 1])
    return ""


def _after(mention: Mention, source: Source, norms: list[str]) -> bool:
    """ "after liver biopsy", "following endoscopy": a diagnostic procedure before the event."""
    index = mention.first - 1
    while index >= 0 and mention.first - index <= CAUSE_WINDOW:
        if norms[index] in ("after", "following"):
            return True
        index -= 1
    return False


DENIAL = frozenset({"no", "not", "without", "none", "never", "neither", "nor"})


def _denied_before(mention: Mention, source: Source) -> bool:
    start, _end = _sentence(source, mention.first)
    return not DENIAL.isdisjoint(source.norms[start : mention.first])


def _given(mention: Mention, source: Source, norms: list[str], kind: int) -> bool:
    if kind & v.PROCEDURE:
        return True
    # A drug named as a treatment says so itself: "vasopressor therapy", "immunosuppressive
    # treatment" (but "Therapeutic Uses" says nothing of these patients).
    if mention.first != mention.last and not TREATMENT_WORDS.isdisjoint(
        norms[mention.first + 1 : mention.last + 1]
    ):
        return True
    before, after = _sentence_words(mention, source, GIVEN_WINDOW)
    if any(map(_measured, before[-2:] + after[:1])):
        return False
    if kind & v.BIOMOLECULE:
        before, after = before[-BIOMOLECULE_WINDOW:], after[:BIOMOLECULE_WINDOW]
    return any(map(_given_word, before + after))


class _StartsWith(dict):
    """Whether a word starts with one of ``prefixes``, by word: each word is tried against a
    hundred prefixes once, not at every mention near it. A plain dict (read faster than an
    ``lru_cache``), emptied when it grows too big."""

    def __init__(self, prefixes: tuple[str, ...]) -> None:
        super().__init__()
        self.prefixes = prefixes

    def __missing__(self, norm: str) -> bool:
        if len(self) > t.CACHE_SIZE:
            self.clear()
        value = self[norm] = norm.startswith(self.prefixes)
        return value


_given_word = _StartsWith(GIVEN).__getitem__
_measured = _StartsWith(MEASURED).__getitem__


def _prior(mention: Mention, source: Source, norms: list[str]) -> bool:
    """A cue before the mention, with only a list of therapies and their doses between
    ("resistant to high-dose corticosteroid and cyclosporine A and/or cyclophosphamide"), or
    "failed"/"-refractory" right after it."""
    if source.prior_ends is None:
        source.prior_ends = {last for _first, last in PRIOR_BEFORE.find(norms)}
    start, end = _sentence(source, mention.first)
    other = 0
    index = mention.first - 1
    while index >= start:
        if index in source.prior_ends:
            return True
        if norms[index] in CLAUSE:
            break
        if index not in source.therapy_tokens and norms[index] not in LIST:
            other += 1
            if other > PRIOR_OTHER_WORDS:
                break
        index -= 1
    after = mention.last + 1
    return after < end and bool(PRIOR_AFTER.at(norms, after))


def _roles_from_other_mentions(mentions: list[Mention], vocabulary: v.Vocabulary) -> None:
    """A drug or procedure with no role of its own (in keywords, or named without saying it
    was given) takes the role the same concept has elsewhere in the record."""
    roles: dict[int, set[str]] = {}
    for mention in mentions:
        if mention.role in (THERAPY, CAUSE):
            roles.setdefault(mention.concept, set()).add(mention.role)
    for mention in mentions:
        if not mention.role and mention.concept in roles:
            known = roles[mention.concept]
            mention.role = THERAPY if THERAPY in known else CAUSE


# Output -------------------------------------------------------------------------------------


def _concepts(
    mentions: list[Mention], sources: dict[str, Source], vocabulary: v.Vocabulary
) -> list[Concept]:
    grouped: dict[tuple[int, str], list[tuple[Mention, Evidence]]] = {}
    for mention in mentions:
        if not mention.role:
            continue
        source = sources[mention.source]
        start = source.tokens.start[mention.first]
        end = source.tokens.end[mention.last]
        supplementary = vocabulary.kind(mention.concept) & v.SUPPLEMENTARY
        evidence = Evidence(
            mention.source,
            start,
            end,
            source.text[start:end],
            vocabulary.uis[mention.concept] if supplementary else "",
            vocabulary.names[mention.concept] if supplementary else "",
        )
        roles = (mention.role, THERAPY) if mention.also_therapy else (mention.role,)
        for descriptor in vocabulary.descriptors(mention.concept):
            for role in roles:
                grouped.setdefault((descriptor, role), []).append((mention, evidence))
    concepts = []
    for (descriptor, role), found in grouped.items():
        affirmed = [(m, e) for m, e in found if not m.negated]
        negated = not affirmed
        kept = found if negated else affirmed
        evidence = []
        for _mention, item in kept:
            if item not in evidence:
                evidence.append(item)
        concepts.append(
            Concept(
                ui=vocabulary.uis[descriptor],
                name=vocabulary.names[descriptor],
                role=role,
                prior=any(m.prior for m, _e in kept),
                negated=negated,
                evidence=tuple(evidence),
            )
        )
    order = {TITLE: 0, ABSTRACT: 1, KEYWORDS: 2}
    concepts.sort(key=lambda c: (order[c.evidence[0].source], c.evidence[0].start))
    return concepts
