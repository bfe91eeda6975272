"""Case-series facts from a title and abstract: how many patients, their sex and ages, and
whether the article is a single case report, a case series or not a case report at all.

Pure Python, no Django: it runs in ingest's parser processes. Rules, not a model: each value
comes with the exact words it was read from.

The texts. ``extract(title, abstract, publication_types)`` reads two strings: ``title`` is
``Article.title`` and ``abstract`` is the abstract's section texts (``AbstractSection.text``,
without their labels) joined by one newline, which is what ``abstract_text()`` builds. Every
``Evidence`` says which of the two it points into and where: ``source[start:end] == text``.

How it reads (the language of case reports in general):

- Patient count: a number (digits or words, "Thirty-five", "twenty one") before a noun for
  people or cases ("three elderly patients", "2 cases", "two siblings", "four infants") with up
  to three words between, or after it ("patients (n = 20)"); mentions in a sentence about the
  literature ("previously reported", "in the literature", "since 1965", or the sentence after
  "A literature review was conducted") are not the article's own patients, nor are subsets
  ("two of the patients", "in 4 patients (25%)", "66 patients (98 per cent)", "(three
  patients)"). The title, sentences that report ("we report", "are presented", "case series
  of") and "a total of" count most; the authors' own verb counts only before the number ("we
  treated 12 patients", not "In four patients, we observed"). Numbered cases ("Case 3:",
  "Patient 2", "the fourth case", "A second patient", "Case II", "(III) A 49-year-old") raise
  the count to their highest number. "Similar", "such" or "additional" cases are the
  literature's unless the authors report them ("This report presents 4 such cases", "the
  first 2 reported cases"), and cases "additional" to one reported before add to it ("We
  report a unique case ... three additional cases" are 4). Failing a number, one patient
  described with an indefinite article ("a 62-year-old woman", "a patient", "a case of") is 1.
- Reviewed cases: the literature's cases counted beside the article's own ("There are three
  cases ... described in the literature", "Only two similar cases were found", "A literature
  review ... We found 6 cases"), kept apart from the count, for a single case report, and
  for a series whose text reviews the literature.
- Sex: counts such as "5 men and 3 women", "5 White males and 2 White females", "13 males
  (mean age 42.8 years) and 13 females", "7 were male and 4 were female", "M:F 2:1" (when
  they add up to the count; a ratio that does not is left alone); one sex's share ("8 (73%)
  cases were female", "Twenty-one children (58.3%) were male", "19 participants (13
  women)"); "All patients were male", "Both patients were females"; the count phrase,
  another phrase of the same number, or the sentence of either when it names one sex and no
  other ("two brothers", "Apropos of 2 cases ... they were young men", "3 cases in
  adolescent female patients", not "n = 45 females", "60% males" or "a 56 year old female
  and her 29 year old son"); "both women" for two; or, when each patient is introduced on
  their own ("Case 1: a 28-year-old man ... Case 2: a 60-year-old woman"), one per
  introduction, or each numbered case's own part of the text ("Patient 1 ... she ...
  Patient 2 ... he"). For a single case, its introduction ("a 57-year-old man") or, failing
  that, the pronouns (he/his against she/her) when only one sex's occur, or, with no
  pronoun, an organ or state of one sex (pregnancy, cervix, uterus, prostate, testis) in a
  sentence about the case; for a series, such a word in the count's sentence ("Two cases
  ... during pregnancy"). Never where the text speaks of a newborn or child, whose mother's
  pregnancy it may be.
- Ages: "62-year-old", "aged 45", "45 years of age", "5-month-old" (months, weeks and days
  become fractions of a year); ranges ("aged 45-67 years", "age range of 15-25 years",
  "median age ... (range, 0.0-111.0 months)"), mean and median ("mean age 52.3 years"). Onset
  ages ("at the age of 2 months") are not the patient's age and are left out.
- Kind, whatever the publication type. A record that says it reports its own cases ("We
  report 8 cases", "Two cases are described", "the charts of six cases", "Case 2", "a
  45-year-old man presented") is read as a case description: "case_series" for two or more
  patients (or case-series wording without a count), "case_report" for one. Otherwise, a
  record not typed "Case Reports" is "other" when it has any mark of a study design
  (comparison or control groups, trials, cohorts, regression, odds ratios and confidence
  intervals, surveys, interviews and qualitative studies, simulations, factor analysis,
  trials and tolerability, systematic reviews, audits, animals, laboratory work such as
  "sera from 204 patients", "5 normal children", "(n = 49)" groups) or a
  study publication type (trial, review, meta-analysis), and a "case_series" when it
  describes one group of patients ("retrospective", "charts", "consecutive", "were
  treated", "underwent") with a count of two or more, else "other". A record that calls
  itself a series ("This retrospective case series", "A series of 54 patients", not "a
  self-controlled case series") outweighs a single mark of a study. One case reported
  further into a sentence ("we report recurrent seizures ... by an elderly patient", "We
  report 28-year-old Hispanic female") is a case report when no design mark is there. A
  record typed "Case Reports" is "other" only with two marks of a study or three of a
  design, and "unknown" when it has no count. A title whose subject is an animal ("in two
  thoroughbreds", "canine babesiosis") is never a case series ("other"); a single
  veterinary case stays a case report. Records not typed Case Reports that name nobody (no
  "patient", "case", "child", "woman", "-old" ...) are "other" at once, which keeps the
  rules cheap on most of PubMed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

import ahocorasick

# Bump when the rules (or the MeSH data used by articles.text.classify) change, so that
# ``extract_facts`` knows which stored rows to re-derive.
RULES_VERSION = "facts-3+mesh-2024"

KIND_CASE_REPORT = "case_report"
KIND_CASE_SERIES = "case_series"
KIND_OTHER = "other"
KIND_UNKNOWN = "unknown"

ONES = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
}
_ONES = "|".join(sorted(ONES, key=len, reverse=True))
_TENS = "|".join(TENS)
_BELOW_100 = rf"(?:(?:{_TENS})(?:[- ](?:{_ONES}))?|{_ONES})"
# "One hundred and two patients", "Two hundred seventy-six": sentences start with words.
# One alternative for words with or without hundreds, which keeps the many patterns built on
# NUMBER as fast as before.
NUMBER = (
    rf"(?:\d{{1,5}}(?:,\d{{3}})?|{_BELOW_100}(?:\s+hundred(?:(?:\s+and)?[\s-]+{_BELOW_100})?)?"
    r"|a\s+(?:hundred|dozen|pair\s+of))"
)


def parse_number(text: str) -> int | None:
    """ "Thirty-five" -> 35, "12" -> 12, "1,200" -> 1200, "One hundred and two" -> 102, "a
    pair of" -> 2; None otherwise."""
    word = re.sub(r"\s+", " ", text.strip().casefold())
    if word.replace(",", "").isdigit():
        return int(word.replace(",", ""))
    if word == "a dozen":
        return 12
    if word == "a pair of":
        return 2
    if word in ONES:
        return ONES[word]
    if hundreds := re.fullmatch(r"(\w+) hundred(?:(?: and)?[ -](.+))?", word):
        times = 1 if hundreds.group(1) == "a" else ONES.get(hundreds.group(1), 10)
        rest = parse_number(hundreds.group(2)) if hundreds.group(2) else 0
        if times > 9 or rest is None or rest > 99:
            return None
        return times * 100 + rest
    parts = re.split(r"[- ]", word)
    if parts[0] in TENS:
        if len(parts) == 1:
            return TENS[parts[0]]
        if len(parts) == 2 and parts[1] in ONES and ONES[parts[1]] < 10:
            return TENS[parts[0]] + ONES[parts[1]]
    return None


@dataclass(frozen=True, slots=True)
class Evidence:
    field: str  # patient_count, male_count, female_count, age, kind
    source: str  # "title" or "abstract"
    start: int
    end: int
    text: str

    def as_dict(self) -> dict:
        return {
            "field": self.field,
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


@dataclass
class Facts:
    kind: str = KIND_UNKNOWN
    patient_count: int | None = None
    male_count: int | None = None
    female_count: int | None = None
    reviewed_count: int | None = None  # published cases reviewed beside the article's own
    age_min_years: float | None = None
    age_max_years: float | None = None
    age_mean_years: float | None = None
    age_median_years: float | None = None
    has_child: bool = False
    has_adult: bool = False
    has_older_adult: bool = False
    evidence: list[Evidence] = field(default_factory=list)


# Words -------------------------------------------------------------------------------------

PEOPLE = (
    r"patients|cases|children|infants|neonates|newborns|babies|men|women|boys|girls|males|"
    r"females|adults|adolescents|teenagers|siblings|brothers|sisters|twins|individuals|"
    r"subjects|persons|people|members|probands|recipients|sibs|smokers|cousins|"
    r"case reports|case histories|case descriptions|"
    r"(?:case|clinical) presentations|pregnancies|mothers|fathers|"
    r"gentlemen|ladies|elderly|athletes|soldiers|workers|volunteers|residents|participants"
)
MALE_WORDS = r"man|male|boy|gentleman|brother|father|son|husband|men|males|boys|brothers|sons"
FEMALE_WORDS = (
    r"woman|female|girl|lady|sister|mother|daughter|wife|women|females|girls|sisters|"
    r"mothers|daughters|ladies"
)
# Relatives: "a 5-year-old boy and his mother" introduces a boy, not a woman.
KIN = frozenset({"brother", "sister", "father", "mother", "son", "daughter", "husband", "wife"})
SINGLE_PERSON = (
    r"patient|case|man|woman|boy|girl|child|infant|neonate|newborn|male|female|gentleman|"
    r"lady|adolescent|teenager|baby|fetus|foetus|toddler|individual|primigravida|multigravida"
)
CHILD_WORDS = (
    r"child|children|infant|infants|boy|boys|girl|girls|neonate|neonates|newborn|newborns|"
    r"baby|babies|toddler|adolescent|adolescents|teenager|teenagers|paediatric|pediatric|"
    r"juvenile|fetus|foetus|schoolboy|schoolgirl"
)
OLDER_WORDS = r"elderly|aged patients?|older (?:adults?|patients?|man|woman|men|women)"
ADULT_WORDS = r"adults?|man|woman|men|women|gentleman|lady"
# Words between a number and its noun that make them cases of the literature ("two similar
# cases", "19 other reported cases").
LITERATURE_GAP = frozenset(
    {
        "similar",
        "other",
        "additional",
        "further",
        "previous",
        "previously",
        "reported",
        "published",
        "described",
        "such",
    }
)
# Words that add a number to a case reported before it: "We report a case ... three
# additional cases" are four.
BEYOND_GAP = frozenset({"additional", "further", "subsequent", "more"})
# Words that may stand between a number and its noun ("three elderly patients").
GAP_STOP = {
    "of",
    "in",
    "with",
    "to",
    "from",
    "for",
    "at",
    "by",
    "on",
    "than",
    "per",
    "were",
    "was",
    "had",
    "have",
    "who",
    "which",
    "that",
    "the",
    "these",
    "those",
    "our",
    "their",
    "other",
    "more",
    "additional",
    "further",
    "previous",
    "previously",
    "reported",
    "published",
    "described",
    "similar",
    "such",
    "all",
    "are",
    "is",
}

_FLAGS = re.IGNORECASE
COUNT_RE = re.compile(
    rf"(?<![\w.,-])(?P<num>{NUMBER})(?P<gap>(?:\s+[A-Za-z][\w'’-]*,?){{0,3}}?)\s+"
    rf"(?P<noun>{PEOPLE})\b",
    _FLAGS,
)
# "patients (n = 20)", "a consecutive sample of patients (N=100)": the number after its noun.
N_EQUALS_RE = re.compile(
    rf"\b(?P<noun>{PEOPLE})(?P<gap>)\s*\(\s*n\s*=\s*(?P<num>\d{{1,5}})\s*[);,]", _FLAGS
)
TWINS_RE = re.compile(
    r"(?<![\w-])(?P<num>)(?P<gap>(?:(?:non-?identical|identical|monozygotic|dizygotic|male|"
    r"female|conjoined)\s+)*)(?P<noun>twins)\b",
    _FLAGS,
)
# "two sets of twins", "3 pairs of identical twins": counted by COUNT_RE, or not people.
TWINS_COUNTED = re.compile(rf"(?:{NUMBER}|of)\s+(?:[\w-]+\s+){{0,3}}$", _FLAGS)
ENUMERATED_RE = re.compile(
    r"\b(?:case|patient)\s*(?:no\.?\s*)?(?P<n>\d{1,2})\b(?!\s*(?:%|years|months|weeks|days))"
    r"|\bthe\s+(?P<ord>second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
    r"twelfth)\s+(?:case|patient)\b"
    # "A second patient, a 49-year-old man": not "a third case" (of the literature).
    r"|\ba\s+(?P<ord2>second)\s+(?:case|patient)\b"
    # Roman numerals: "Case II", "(III) A 49-year-old woman".
    r"|\b(?:case|patient)\s+(?P<roman>I{1,3}|IV|VI{0,3}|IX|X)\b(?![\w-])"
    r"|\((?P<roman2>I{1,3}|IV|VI{0,3}|IX|X)\)(?=\s+an?\s+\d)",
    _FLAGS,
)
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
AGE_UNIT = r"(?P<unit>year|yr|month|mth|mo|week|wk|day)s?"
# "14 1/2-year-old": a half year written as a fraction.
_AGE_NUM = rf"(?P<age>\d{{1,3}}(?:\.\d|\s+1/2|\s?½)?|{_TENS}(?:[- ](?:{_ONES}))?|{_ONES})"
INDIVIDUAL_AGE_RE = re.compile(
    rf"\b{_AGE_NUM}[\s-]*{AGE_UNIT}[\s-]*old\b"
    rf"|\baged\s+(?P<age2>\d{{1,3}})(?:\s+(?P<unit2>years?|months?|weeks?|days?))?\b"
    rf"(?!\s*(?:-|–|to|and)\s*\d)"
    rf"|\b(?P<age3>\d{{1,3}})\s+(?P<unit3>years?|months?)\s+of\s+age\b",
    _FLAGS,
)
AGE_RANGE_RE = re.compile(
    r"\b(?:aged|ages?|age\s+range(?:\s+(?:of|was|from))?|age[ds]?\s+(?:from|between))\s*"
    r"[,:]?\s*(?:ranged?\s+|ranging\s+)?(?:of\s+|from\s+|between\s+|was\s+)?"
    r"(?P<low>\d{1,3}(?:\.\d)?)\s*(?P<lowunit>years?|months?)?\s*(?:-|–|to|and)\s*"
    r"(?P<high>\d{1,3}(?:\.\d)?)\s*(?P<unit>years?|months?|yr)?"
    # "median age 45 years (range 23-67)", "mean age of 52 years (range, 30 to 71 years)"
    r"|\bage\b(?:[^.;\n]|(?<=\d)\.(?=\d)){0,60}?\brange[:,]?\s*(?:from\s+|of\s+)?"
    r"(?P<low2>\d{1,3}(?:\.\d)?)\s*(?:-|–|to)\s*(?P<high2>\d{1,3}(?:\.\d)?)\s*"
    r"(?P<unit2>years?|months?|yr)?",
    _FLAGS,
)
AGE_STAT_RE = re.compile(
    r"\b(?P<stat>mean|median|average)\s+age\s*(?:\(.{0,20}?\)\s*)?(?:of\s+the\s+\w+\s+)?"
    r"(?:was|were|of|is|,|:|=)?\s*(?P<value>\d{1,3}(?:\.\d+)?)"
    r"(?:\s*(?:±|\+/-)\s*\d+(?:\.\d+)?)?\s*(?P<unit>years?|months?|yr)?",
    _FLAGS,
)
# A word that may stand between a number and its sex ("5 White males", "2 adult women"), not
# one that ends the phrase ("2 of the women").
_SEX_ADJECTIVE = r"(?:(?!(?:of|with|in|and|or|to|had|have|than)\b)[a-z][\w-]*\s+)"
SEX_PAIR_RE = re.compile(
    rf"(?P<n1>{NUMBER})\s+(?:(?:patients|cases|were|was|are)\s+|{_SEX_ADJECTIVE}){{0,2}}"
    rf"(?P<s1>{MALE_WORDS}|{FEMALE_WORDS})"
    # "13 males (mean age 42.77 ± 11.73 years) and 13 females"
    r"(?:\s+patients)?(?:\s*\([^()]{0,60}\))?\s*(?:,|and|&)\s*"
    rf"(?P<n2>{NUMBER})\s+(?:were\s+|{_SEX_ADJECTIVE}){{0,2}}"
    rf"(?P<s2>{MALE_WORDS}|{FEMALE_WORDS})\b",
    _FLAGS,
)
# "8 (73%) cases were female", "Seven patients (64%) were men": one sex's share of the count.
_PERCENT = r"(?:\(\s*\d+(?:\.\d+)?\s*%\s*\)\s*)?"
SEX_SHARE_RE = re.compile(
    rf"(?<![\w.,-])(?P<n>{NUMBER})\s*{_PERCENT}(?:(?:{PEOPLE}|of\s+them)\s*)?{_PERCENT}"
    r"(?:were|was)\s+(?P<sex>males?|females?|men|women|boys|girls)\b",
    _FLAGS,
)
# "All patients were male", "all of them were women", "all 5 patients were female", "Both
# patients were females".
ALL_ONE_SEX_RE = re.compile(
    rf"\b(?P<all>all|both)\s+(?:(?:of\s+)?(?:the|these|our|them)\s+)?(?:{NUMBER}\s+)?"
    r"(?:[\w-]+\s+)?"
    r"(?:were|was|are)\s+(?P<sex>males?|females?|men|women|boys|girls)\b",
    _FLAGS,
)
SEX_BESIDE_COUNT_RE = re.compile(
    rf"\s*\(\s*(?P<n>{NUMBER})\s+(?P<sex>men|women|males|females|boys|girls)\b(?!\s*\(?\d)", _FLAGS
)
SEX_RATIO_RE = re.compile(
    r"\b(?:M\s*[:/]\s*F|male(?:\s*[:/]\s*|-to-|\s+to\s+)female)(?:\s+ratio)?\s*"
    r"(?:[=:,]|of|was|is)?\s*"
    r"(?P<m>\d{1,4})\s*[:/]\s*(?P<f>\d{1,4})\b",
    _FLAGS,
)
# A word inside a noun phrase: not a preposition, article or pronoun, which would mean the
# phrase ended ("the management of this patient" introduces "this patient", not "the ...").
_MOD = (
    r"(?!(?:of|in|with|by|from|on|for|and|or|to|at|the|a|an|this|our|his|her|their|was|is|"
    r"were|are|had|has|who|which|that)\b|\d+[\s,]+(?!(?:year|yr|month|mo|week|day|1/2)))"
    r"[\w'’,/½-]+\s+"
)
INTRODUCTION_RE = re.compile(
    rf"\b(?:an?|one|the|this|our)\s+(?P<mods>(?:{_MOD}){{0,5}}?)"
    # Not "the male-to-female ratio", "a case series".
    rf"(?P<noun>{SINGLE_PERSON})\b(?![-‐]|\s+series\b)",
    _FLAGS,
)
# "a 3-year-old presented with ...": an age alone introduces a patient.
AGED_INTRODUCTION_RE = re.compile(
    rf"\ban?\s+(?:\d{{1,3}}|(?:{_TENS})(?:[- ](?:{_ONES}))?|{_ONES})[\s-]*"
    rf"(?:year|month|week|day)s?[\s-]*old\b(?!\s*(?:{SINGLE_PERSON}|{MALE_WORDS}|{FEMALE_WORDS}))",
    _FLAGS,
)
SEXED_INTRODUCTION_RE = re.compile(
    rf"\b(?:an?)\s+(?:{_MOD}){{0,5}}?(?P<sex>{MALE_WORDS}|{FEMALE_WORDS})\b"
    rf"(?!\s*(?:-|–)?\s*(?:to|predominance|ratio))",
    _FLAGS,
)
PLURAL_SEX_RE = re.compile(
    r"\b(?P<sex>men|women|males|females|boys|girls|brothers|sisters|male|female)"
    r"(?:\s+(?:patients|cases|subjects|individuals|children|infants|adults|adolescents))?\b"
    r"(?!\s*(?:-|–|to|and)\s*(?:female|male))",
    _FLAGS,
)
BOTH_SEX_RE = re.compile(
    r"\bboth\s+(?:(?:the|of\s+the(?:se)?|these)\s+)?(?:[\w-]+\s+)?"
    r"(?P<sex>men|women|males|females|boys|girls|brothers|sisters)\b",
    _FLAGS,
)
# Organs and states of one sex: "a case of diabetic acidosis during pregnancy", "recurrence
# of neuroendocrine carcinoma of the cervix". Read only when nothing else names the sex, and
# not where the text speaks of a newborn or child (whose mother's pregnancy it may be).
FEMALE_ONLY_RE = re.compile(
    r"\b(?:pregnan\w*|gravid\w*|postpartum|puerper\w*|parturient|cervix|uter(?:us|ine)|"
    r"ovar(?:y|ies|ian)|endometri\w*|vagina\w*|vulva\w*|fallopian|placenta\w*|c[a]?esarean|"
    r"hysterectomy|menstrua\w*|menopaus\w*)\b",
    _FLAGS,
)
MALE_ONLY_RE = re.compile(
    r"\b(?:prostat(?:e|ic|ectomy)|test(?:is|es|icular)|scrot(?:um|al)|penis|penile|orchi\w*)\b",
    _FLAGS,
)
NEWBORN_RE = re.compile(
    r"\b(?:neonat\w*|newborns?|infants?|bab(?:y|ies)|born|fetus|foetus|child(?:ren)?|"
    r"p(?:a)?ediatric)\b",
    _FLAGS,
)
ANY_SEX_RE = re.compile(rf"\b(?:{MALE_WORDS}|{FEMALE_WORDS})\b", _FLAGS)
HE_RE = re.compile(r"\b(?:he|his|him|himself)\b", _FLAGS)
SHE_RE = re.compile(r"\b(?:she|her|hers|herself)\b", _FLAGS)

# The authors speaking of their own patients, where a number that follows is all of them
# ("we treated 12 patients"); before it, the number is usually a result ("In four patients,
# we observed loss of pronation"). See _reports_count.
AUTHORS_CUE = re.compile(
    r"\b(?:we|i|authors?)\s+(?:\w+\s+){0,2}?(?:report|present|describe|discuss|document|"
    r"reviewed|studied|treated|observed|saw|encountered|managed|analy[sz]ed|included|"
    r"enrolled|followed)\w*",
    _FLAGS,
)
REPORT_CUE = re.compile(
    AUTHORS_CUE.pattern
    + r"|\b(?:is|are|was|were|being)\s+(?:\w+\s+)?(?:reported|presented|described|documented)\b"
    r"|\breport(?:ed)?\s+(?:here|herein)\b|\bhere(?:in)?\b|\bthis\s+(?:report|paper|article)\b"
    r"|\b(?:case|clinical)\s+series\b|\breport\s+of\b|\bcase\s+reports?\b|\bour\s+(?:patients?|cases?)\b"
    r"|\bwere\s+(?:\w+ly\s+)?(?:included|enrolled|identified|evaluated)\b"
    r"|\bour\s+(?:institution|hospital|center|centre)",
    _FLAGS,
)
LITERATURE_CUE = re.compile(
    r"literature|previously\s+(?:reported|described|published)|have\s+been\s+(?:reported|"
    r"described|published|documented)|has\s+been\s+(?:reported|described)|reported\s+(?:so\s+far|"
    r"to\s+date)|\bto\s+date\b|\bsince\s+(?:1[89]|20)\d\d\b|\bin\s+the\s+(?:english\s+)?literature"
    r"|\breported\s+cases\b|\bpublished\s+cases\b|\bworldwide\b|\bonly\s+\w+\s+cases\b"
    r"|\buntil\s+now\b|\bhitherto\b|\bso\s+far\b",
    _FLAGS,
)
BESIDE_REVIEW_AFTER = re.compile(
    r"\s+(?:[\w'’-]+\s+){0,3}?and\s+(?:a\s+)?review\s+of\s+(?:the\s+)?(?:\w+\s+)?literature",
    _FLAGS,
)
NOT_A_COUNT_BEFORE = re.compile(
    r"\b(?:stage|grade|type|class|level|phase|step|day|week|month|year|figure|table|"
    r"group|arm|cohort|part)\s+$",
    _FLAGS,
)
APPROXIMATE_BEFORE = re.compile(
    r"\b(?:some|about|approximately|nearly|almost|around|over|more\s+than|fewer\s+than|"
    r"less\s+than|at\s+least|only)\s+$",
    _FLAGS,
)
# A share right after a count: "8 (50%) patients", "in 66 patients (98 per cent)", "18
# patients (60% of all cases)": a part of a group counted elsewhere.
SHARE_AFTER = re.compile(r"\s*\(\s*\d+(?:[.,]\d+)?\s*(?:%|per\s*cent)\s*(?:[);,]|of\b)", _FLAGS)
BESIDE_REVIEW_BEFORE = re.compile(r"\bliterature,?\s+and\s+(?:(?:our|the)\s+)?$", _FLAGS)
# A sentence saying the literature was reviewed: the counts of the next one are its cases.
LITERATURE_REVIEW = re.compile(
    r"\bliterature\s+(?:review|search)|\breview\s+of\s+(?:the\s+)?(?:\w+\s+)?literature"
    r"|\b(?:reviewed|searched)\s+the\s+(?:\w+\s+)?literature",
    _FLAGS,
)
SERIES_CUE = re.compile(
    rf"\b(?:case|clinical)\s+series\b|\bseries\s+of\s+{NUMBER}\s+(?:\w+\s+)?(?:{PEOPLE})\b",
    _FLAGS,
)
# The authors calling their study a series: "This retrospective case series", "Prospective
# case series.", "a series of 100 consecutive patients"; not "case reports, case series and
# observational studies" (of a review) or "a self-controlled case series" (an
# epidemiological design).
OWN_SERIES_RE = re.compile(
    r"\b(?:this|our|a|the\s+present)\s+(?:(?!self-controlled)[\w,-]+\s+){0,4}?"
    r"(?:case|clinical)\s+series\b(?!\s+(?:and|or)\b)"
    r"|(?:^|[.:]\s+)(?:[\w,-]+\s+){0,4}?(?:case|clinical)\s+series\s*[.:]"
    rf"|\bseries\s+of\s+{NUMBER}\s+(?:[\w-]+\s+){{0,2}}?(?:{PEOPLE})\b",
    _FLAGS | re.MULTILINE,
)
# Words before a number that make it part of a group already counted.
SUBSET_BEFORE = re.compile(
    rf"\b(?:{NUMBER}|some|most|many|none|each|both|half)\s+(?:of|among)\s+"
    r"(?:the|these|those|our|them)\s+$|\b(?:than|and|or)\s+$",
    _FLAGS,
)
# Patients looked at to choose the ones described: not the count.
SCREENED_CUE = re.compile(
    r"\bscreened\b|\beligib\w+|\bof\s+whom\b|\bpotential(?:ly)?\b|\bexcluded\b", _FLAGS
)
PLURAL_REPORTED = re.compile(rf"\b(?:{PEOPLE}|families)\b", _FLAGS)
SINGLE_CUE = re.compile(
    r"\b(?:an?\s+(?:\d{1,3}|[a-z]+(?:-[a-z]+)?)[\s-]*(?:year|month|week|day)s?[\s-]*old)"
    r"|\b(?:a|the)\s+case\s+of\b|\bcase\s+report\b|\b(?:we|i)\s+(?:\w+\s+)?(?:report|present|"
    r"describe)\s+(?:a|an|the)\s+(?:\w+\s+){0,3}?(?:case|patient)",
    _FLAGS,
)
# Marks of a study rather than a case description: plain words (found by MARK_WORDS, much
# faster than a regex over every abstract) and patterns.
STUDY_WORDS = (
    "randomly",
    "randomized",
    "randomised",
    "randomization",
    "randomisation",
    "controlled study",
    "controlled trial",
    "cohort",
    "survey",
    "questionnaire",
    "responded",
    "respondents",
    "logistic regression",
    "odds ratio",
    "meta-analysis",
    "systematic review",
    "in vitro",
    "in vivo",
    "cell line",
    "significant correlation",
    "sensitivity and specificity",
    "prevalence",
    "were studied",
    "were interviewed",
    "were surveyed",
    "prospective",
    "statistical",
    "statistics",
)
STUDY_CUE = re.compile(
    r"\b95%\s*(?:CI|confidence)\b|\bp\s*[<=>≤]\s*0?\.\d|"
    r"\bsignificant(?:ly)?\s+(?:associated|correlat\w*|differ\w*|"
    r"higher|lower|more|less|positive|negative|improve\w*)|"
    r"\bretrospective(?:ly)?\s+(?:study|analysis|cohort|review(?:ed)?)\b|"
    r"\bphase\s+(?:I{1,3}|[123])\b|\b(?:rats?|mice|murine|dogs|pigs|cattle|rabbits)\b|"
    r"\(\s*n\s*=\s*\d|\bcontrols\b",
    _FLAGS,
)
STUDY_TYPES = frozenset(
    {
        "Clinical Trial",
        "Randomized Controlled Trial",
        "Controlled Clinical Trial",
        "Meta-Analysis",
        "Systematic Review",
        "Observational Study",
        "Comparative Study",
        "Multicenter Study",
        "Clinical Trial, Phase I",
        "Clinical Trial, Phase II",
        "Clinical Trial, Phase III",
        "Clinical Trial, Phase IV",
        "Review",
        "Evaluation Study",
        "Validation Study",
    }
)
# Words that show a text speaks of people at all (PEOPLE_WORDS, an automaton that stops at the
# first found): without any, there is nobody to count and the regexes are skipped.
PEOPLE_HINTS = (
    "patient",
    "case",
    "-old",
    " old",
    "child",
    "infant",
    "boy",
    "girl",
    " man",
    " men",
    "woman",
    "women",
    "male",
    "neonat",
    "newborn",
    "subjects",
    "famil",
    "sibling",
    "twin",
    "person",
    "individual",
    "adolescent",
    "baby",
)
# The authors say they report their own cases, whatever the publication type: "We report 8
# cases", "we present three cases", "Two cases are described", "reviewed the charts of six
# cases", "Case 1 ... Case 2", "We report a case", "a 45-year-old man presented with". Each
# pattern runs only where one of its words is in the lowered text (MARK_WORDS finds them all
# in one pass): far cheaper than a regex over every abstract that mentions patients.
OWN_CASES = (
    (
        (
            "we report",
            "we present",
            "we describe",
            "we document",
            "we here",
            "we also",
            "we further",
            "we now",
            "we briefly",
            "authors report",
            "authors present",
            "authors describe",
            "author reports",
            "i report",
            "i present",
            "i describe",
        ),
        re.compile(
            r"\b(?:we|i|authors?)\s+(?:(?:here(?:in)?|also|further|now|briefly)\s+)?"
            r"(?:report|present|describe|document)\w*\s+"
            r"(?:(?:here(?:in)?|on|the|our|experience\s+with|cases?\s+of)\s+){0,3}"
            rf"(?:{NUMBER}(?:\s+[\w'’,-]+){{0,3}}?\s+(?:{PEOPLE}|famil(?:ies|y)|kindreds?)"
            rf"|(?:a|an|one|the)\s+(?:(?!of\b)[\w'’-]+\s+){{0,4}}?(?:{SINGLE_PERSON}))\b",
            _FLAGS,
        ),
    ),
    (
        ("this report", "this paper", "this article", "present report", "present paper"),
        re.compile(
            r"\b(?:this|the\s+present)\s+(?:report|paper|article)\s+(?:\w+\s+)?"
            r"(?:reports|presents|describes|documents)\s+(?:the\s+)?"
            rf"(?:{NUMBER}|a|an|one)\s+(?:[\w'’-]+\s+){{0,3}}?(?:{PEOPLE}|{SINGLE_PERSON})\b",
            _FLAGS,
        ),
    ),
    (
        ("review of",),
        re.compile(
            rf"(?<![\w.,-]){NUMBER}\s+(?:[\w'’-]+\s+){{0,2}}?(?:{PEOPLE})\s+and\s+(?:a\s+)?"
            r"review\s+of\s+(?:the\s+)?(?:\w+\s+)?literature",
            _FLAGS,
        ),
    ),
    (
        ("report of", "presentation of"),
        re.compile(
            rf"\b(?:report|presentation)\s+of\s+(?:{NUMBER})\s+(?:[\w'’-]+\s+){{0,2}}?"
            rf"(?:{PEOPLE})\b",
            _FLAGS,
        ),
    ),
    (
        ("charts of", "records of", "files of", "notes of"),
        re.compile(
            r"\b(?:reviewed|review\s+of|analy[sz]ed|examined)\s+(?:the\s+)?(?:medical\s+|"
            rf"clinical\s+|case\s+)?(?:charts|records|files|notes)\s+of\s+(?:{NUMBER})\s",
            _FLAGS,
        ),
    ),
    (
        # "A case report", "Case report:", not "case reports were included" or "a case
        # report form".
        ("case report",),
        re.compile(
            r"\b(?:this|our|a|the\s+present)\s+case\s+report\b(?!\s+forms?\b)"
            r"|\bcase\s+report\s*[:.]",
            _FLAGS,
        ),
    ),
    (
        ("year-old", "years old", "year old", "month-old", "months old", "week-old", "day-old"),
        re.compile(
            rf"\ban?\s+(?:\d{{1,3}}|(?:{_TENS})(?:[- ](?:{_ONES}))?|{_ONES})[\s-]*"
            r"(?:year|month|week|day)s?[\s-]*old\s+(?:[\w-]+\s+){0,3}?"
            r"(?:man|woman|boy|girl|male|female|patient|child|infant|gentleman|lady|neonate|"
            r"newborn)\b",
            _FLAGS,
        ),
    ),
)
# One case the authors report, further into the sentence than OWN_CASES looks: "Here we
# report recurrent seizures after SCRA abuse by an elderly patient", "we present the history
# ... of such a case", "We report 28-year-old Hispanic female". Trusted only in a text with no
# mark of a study design and with a count of one.
OWN_SINGLE_RE = re.compile(
    r"\b(?:we|i)\s+(?:\w+\s+){0,2}?(?:report|present|describe|document)\w*\b[^.;]{0,150}?"
    rf"(?:\b(?:an?|such\s+an?|this|one)\s+(?:[\w'’-]+\s+){{0,4}}?(?:{SINGLE_PERSON})\b"
    r"(?![-‐])(?!\s+series)|\b\d{1,3}[\s-]*(?:year|month|week|day)s?[\s-]*old\b)",
    _FLAGS,
)
# "Case 2", "patient no. 2", "case II": searched in the lowered text, where a pattern that
# starts with plain letters is fast.
SECOND_CASE_RE = re.compile(r"(?:case|patient)\s*(?:no\.?\s*)?(?:2|ii)\b")
# "Two cases are described": the verb first (fast in the lowered text), then the count
# before it.
REPORTED_VERB_RE = re.compile(
    r"(?:are|were|is)\s+(?:here(?:in)?\s+)?(?:reported|presented|described)\b"
)
COUNT_BEFORE_RE = re.compile(
    rf"(?<![\w.,-]){NUMBER}\s+(?:[\w'’-]+\s+){{0,3}}?(?:{PEOPLE})\s+(?:\w+\s+)?$", _FLAGS
)
# Marks of a study design rather than a description of patients: comparison or control
# groups, trials, statistics of association, surveys, reviews of the literature, audits,
# animals, laboratory work. One is enough for a record that is not typed Case Reports and
# does not say it reports its own cases. Plain words, found by MARK_WORDS in the lowered
# text, and a few that need a word boundary.
DESIGN_WORDS = (
    "randomi",
    "controlled trial",
    "clinical trial",
    "placebo",
    "double-blind",
    "double blind",
    "cohort",
    "case-control",
    "case control",
    "control group",
    "control subjects",
    "control patients",
    "healthy volunteers",
    "healthy subjects",
    "healthy individuals",
    "healthy persons",
    "healthy people",
    "healthy donors",
    "healthy controls",
    "healthy men",
    "healthy women",
    "healthy adults",
    "normal men",
    "normal women",
    "normal adults",
    "volunteers",
    "normal subjects",
    "normal volunteers",
    "matched",
    "odds ratio",
    "hazard ratio",
    "risk ratio",
    "relative risk",
    "logistic regression",
    "linear regression",
    "cox regression",
    "regression analys",
    "regression model",
    "multivariate",
    "multivariable",
    "univariate",
    "univariable",
    "risk factor",
    "predictor",
    "predictive factor",
    "predictive value",
    "prognostic factor",
    "survey",
    "questionnaire",
    "respondents",
    "interviewed",
    "meta-analy",
    "systematic review",
    "systematically review",
    "systematic search",
    "literature search",
    "were searched",
    "in vitro",
    "in vivo",
    "cell line",
    "prevalence",
    "epidemiolog",
    "sensitivity and specificity",
    "diagnostic accuracy",
    "receiver operating",
    "area under the curve",
    "compared between",
    "compared with control",
    "compared with healthy",
    "compared with normal",
    "compared with patients without",
    "compared with those",
    "compared with that of",
    "comparison was made",
    "comparisons were made",
    "comparison group",
    "two groups",
    "three groups",
    "both groups",
    "to compare",
    "versus",
    "audit",
    "quality improvement",
    "prospective study",
    "prospective trial",
    "prospective cohort",
    "prospective randomi",
    "prospective observational",
    "prospective multicent",
    "prospective evaluation",
    "prospective clinical",
    "prospective comparative",
    "prospective analysis",
    "prospectively enrolled",
    "prospectively recruited",
    "observational study",
    "pilot study",
    "feasibility",
    "participant",
    "participated",
    "open-label",
    "open label",
    "open study",
    "open trial",
    "field study",
    "field trial",
    "significantly associated",
    "significantly correlat",
    "significantly differ",
    "significantly higher",
    "significantly lower",
    "significantly more",
    "significantly less",
    "significantly increased",
    "significantly decreased",
    "significantly reduced",
    "significantly improved",
    "significantly better",
    "significantly worse",
    "significant difference",
    "significant correlation",
    "significant association",
    "statistically significan",
    "statistical significan",
    "confidence interval",
    "95% ci",
    "95%ci",
    "pharmacokinetic",
    "interviews",
    "interview study",
    "semi-structured",
    "qualitative stud",
    "qualitative research",
    "qualitative interview",
    "qualitative descriptive",
    "thematic analysis",
    "focus group",
    "were simulated",
    "simulation model",
    "microsimulation",
    "monte carlo",
    "healthy children",
    "healthy infants",
    "factor analysis",
    "in a trial",
    "this trial",
    "the trial",
    "tolerability",
)
DESIGN_RE = re.compile(
    r"(?:rats?|mice|murine|dogs|pigs|cattle|cows|calves|rabbits|horses|sheep|cats|monkeys|"
    r"primates|thoroughbreds|animals|birds|seabirds|controls|subjects|random|vs\.?|"
    r"phase (?:i{1,3}|[123]))\b"
)
# Laboratory work on the patients' material: "peripheral blood from three patients", "Sera
# from 204 patients", "Lymphocytes from 20 patients with CLL were studied". Searched in the
# lowered text.
LAB_SAMPLES_RE = re.compile(
    r"(?:blood|sera|serum|plasma|samples|specimens|tissues?|cells|lymphocytes|fibroblasts|"
    r"cultures|isolates|strains)\s+(?:[\w-]+\s+){0,3}?from\s+(?:the\s+)?"
    rf"{NUMBER}\s+(?:[\w-]+\s+){{0,2}}?"
    r"(?:patients|cases|subjects|individuals|donors|children|infants)\b"
)
# Normal people counted beside the patients: "in 5 normal children and 25 children with
# protein-calorie malnutrition" (not "than in otherwise normal children").
NORMALS_RE = re.compile(rf"{NUMBER}\s+normal\s+(?:[\w-]+\s+)?(?:{PEOPLE})\b")
# "children (N = 49)": the notation of a study's groups (not "bruising (n = 15, 25%)"). The
# "(n =" first, which is fast, then the noun before it.
N_GROUP_RE = re.compile(r"\(\s*n\s*=\s*\d")
GROUP_BEFORE_RE = re.compile(rf"\b(?:{PEOPLE}|groups?|arms?|cohorts?)\s*$")
# A study of one group of the authors' own patients, described rather than compared ("A
# retrospective review of 40 patients", "the charts of all patients ... were reviewed",
# "123 consecutive patients"): a case series when it has a count and no design marks.
# Searched in the lowered text without flags: a pattern that starts with plain letters is
# fast there.
DESCRIPTIVE_CUE = re.compile(
    r"(?:retrospective(?:ly)?|charts?|(?:medical|clinical|hospital|case)\s+(?:records|notes|"
    r"files)|consecutive|our\s+(?:experience|series|institution|hospital|department|"
    r"cent(?:er|re)|clinic|unit|patients|cases)|single[- ](?:cent(?:er|re)|institution)"
    r"|(?:case|clinical)\s+series|series\s+of|experience\s+with|we\s+(?:\w+\s+)?(?:reviewed|"
    r"analy[sz]ed|studied|treated|operated|evaluated|examined|followed|describe|report|present)"
    r"|were\s+(?:\w+\s+)?(?:included|reviewed|analy[sz]ed|studied|treated|operated|evaluated|"
    r"examined|identified|followed)|underwent|in\s+evaluation\s+of|studies\s+of)\b"
)
# A title naming an animal as its subject ("in two thoroughbreds", "in a squirrel monkey",
# "Three cases of canine babesiosis"): a veterinary report or an animal study, not a series
# of patients. Not "porcine xenograft", "cow's milk" or "cat-eye syndrome".
_ANIMALS = (
    r"horses?|mares?|stallions?|foals?|pony|ponies|thoroughbreds?|dogs?|puppies|cats?|kittens?|"
    r"cattle|cows?|calf|calves|heifers?|bulls?|sheep|ewes?|lambs?|goats?|pigs?|piglets?|swine|"
    r"rats?|mice|rabbits?|monkeys?|macaques?|baboons?|birds?|parrots?|ferrets?|camels?|"
    r"animals?"
)
ANIMAL_TITLE_RE = re.compile(
    rf"\b(?:in|of)\s+(?:(?:an?|the|{NUMBER})\s+)?"
    # Adjectives only: "injuries of children bitten by dogs" are the children's.
    r"(?:(?!(?:by|from|with|and|or|to|after|for|on|in|of|the|an?)\b)[\w-]+\s+){0,3}?"
    rf"(?:{_ANIMALS})\b(?!['’-])"
    r"|\b(?:canine|feline|equine)\b",
    _FLAGS,
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\d])|\n")


@dataclass(frozen=True, slots=True)
class _Text:
    source: str  # "title" / "abstract"
    text: str

    def evidence(self, name: str, start: int, end: int) -> Evidence:
        return Evidence(name, self.source, start, end, self.text[start:end])


@dataclass(frozen=True, slots=True)
class _Mention:
    value: int
    where: _Text
    start: int
    end: int
    score: int
    noun: str
    beyond: bool = False  # "three additional cases", "the three subsequent cases"


def sentences(text: str) -> Iterable[tuple[int, int]]:
    """(start, end) of each sentence-like piece."""
    start = 0
    for match in SENTENCE_END.finditer(text):
        yield start, match.start()
        start = match.end()
    if start < len(text):
        yield start, len(text)


def _previous_sentence(spans: list[tuple[int, int]], text: str, start: int) -> str:
    """The sentence before the one starting at ``start`` ("" for the first)."""
    before = [span for span in spans if span[1] <= start]
    return text[before[-1][0] : before[-1][1]] if before else ""


def _sentence_of(spans: list[tuple[int, int]], position: int) -> tuple[int, int]:
    for start, end in spans:
        if start <= position <= end:
            return start, end
    return 0, 0


def extract(title: str, abstract: str, publication_types: Iterable[str] = ()) -> Facts:
    """The facts of one article; see the module docstring for what each rule reads."""
    texts = [_Text("title", title or ""), _Text("abstract", abstract or "")]
    types = set(publication_types)
    facts = Facts()
    whole = f"{title}\n{abstract}"
    lowered = whole.casefold()

    is_case_report_type = "Case Reports" in types
    if types and not is_case_report_type and next(PEOPLE_WORDS.iter(lowered), None) is None:
        # Nobody to count: not a case description, without the regexes.
        facts.kind = KIND_OTHER
        return facts
    marks = _marks(lowered)
    # Decided before reading counts: most of PubMed is not case reports, and this is cheap.
    if types and not is_case_report_type:
        described = _own_cases_described(whole, lowered, marks)
        if not described and (types & STUDY_TYPES or _design_marks(lowered, marks, 1)):
            # The authors calling it "a series of 23 cases" outweigh one mark of a study.
            if types & STUDY_TYPES or _design_marks(lowered, marks, 2) > 1:
                facts.kind = KIND_OTHER
                return facts
            if not ("series" in lowered and OWN_SERIES_RE.search(whole)):
                facts.kind = KIND_OTHER
                return facts
            described = True
        if not described and not _has_word(DESCRIPTIVE_CUE, lowered):
            facts.kind = KIND_OTHER
            return facts
        single_cue = SINGLE_CUE.search(whole) is not None
        series_cue = SERIES_CUE.search(whole) is not None
    else:
        single_cue = SINGLE_CUE.search(whole) is not None
        series_cue = SERIES_CUE.search(whole) is not None
        if not (single_cue or series_cue or _own_cases_described(whole, lowered, marks)) and (
            _study_marks(whole, marks, 2) >= 2 or _design_marks(lowered, marks, 3) >= 3
        ):
            # Typed Case Reports (or untyped): a study only with two marks of one, or three
            # of a study design.
            facts.kind = KIND_OTHER
            return facts
        described = True
    counts = _patient_count(texts)
    count, count_evidence = counts.count, counts.evidence
    if not described and count == 1 and OWN_SINGLE_RE.search(whole):
        described = True
    if not described and (count is None or count < 2):
        # A study of a group with no number to it, or one patient mentioned in passing.
        facts.kind = KIND_OTHER
        return facts
    facts.kind = _kind(count, is_case_report_type, single_cue, series_cue, whole)
    if facts.kind == KIND_CASE_SERIES and ANIMAL_TITLE_RE.search(title or ""):
        # Animals are not a case series (a single veterinary case stays a case report).
        facts.kind = KIND_OTHER
        return facts
    facts.patient_count = count
    if count_evidence:
        facts.evidence.append(count_evidence)
    if counts.reviewed is not None and (
        facts.kind == KIND_CASE_REPORT
        # A series' background ("a Japanese series of 185 cases has been reported") is not
        # a review: only where the text reviews the literature.
        or facts.kind == KIND_CASE_SERIES
        and LITERATURE_REVIEW.search(whole)
    ):
        facts.reviewed_count = counts.reviewed
        facts.evidence.append(counts.reviewed_evidence)
    _sex(facts, texts, count, count_evidence)
    _ages(facts, texts, count)
    _age_groups(facts, texts, count_evidence)
    return facts


def _mark_words() -> ahocorasick.Automaton:
    """One automaton for every plain word the gates look for, each with the names of the
    groups it belongs to: a single pass over the text instead of one ``in`` per word."""
    groups: dict[str, set[str]] = {}
    named = [("design", DESIGN_WORDS), ("study", STUDY_WORDS)]
    named += [(f"own{i}", words) for i, (words, _pattern) in enumerate(OWN_CASES)]
    for name, words in named:
        for word in words:
            groups.setdefault(word, set()).add(name)
    automaton = ahocorasick.Automaton()
    for word, names in groups.items():
        automaton.add_word(word, (word, tuple(sorted(names))))
    automaton.make_automaton()
    return automaton


MARK_WORDS = _mark_words()
PEOPLE_WORDS = ahocorasick.Automaton()
for _word in PEOPLE_HINTS:
    PEOPLE_WORDS.add_word(_word, _word)
PEOPLE_WORDS.make_automaton()


def _marks(lowered: str) -> dict[str, set[str]]:
    """The words of MARK_WORDS in the lowered text, by group."""
    found: dict[str, set[str]] = {}
    for _end, (word, names) in MARK_WORDS.iter(lowered):
        for name in names:
            found.setdefault(name, set()).add(word)
    return found


def _own_cases_described(whole: str, lowered: str, marks: dict[str, set[str]]) -> bool:
    """Whether the text says it reports its own cases: "We report 8 cases", "three cases are
    presented", "the charts of six cases", "Case 1 ... Case 2", "a 45-year-old man"."""
    for i, (_words, pattern) in enumerate(OWN_CASES):
        if f"own{i}" in marks and pattern.search(whole):
            return True
    if SECOND_CASE_RE.search(lowered):
        return True
    if not any(verb in lowered for verb in ("reported", "presented", "described")):
        return False
    return any(
        COUNT_BEFORE_RE.search(lowered, max(0, match.start() - 80), match.start())
        for match in REPORTED_VERB_RE.finditer(lowered)
    )


def _design_marks(lowered: str, marks: dict[str, set[str]], enough: int) -> int:
    """How many different marks of a study design (comparison groups, trials, statistics of
    association, surveys, reviews, animals, laboratory work) the text has, counting to
    ``enough`` at most."""
    found = len(marks.get("design", ()))
    if found >= enough:
        return found
    seen = set()
    for match in DESIGN_RE.finditer(lowered):
        if match.start() and lowered[match.start() - 1].isalpha():
            continue  # "pirates", "subjects" of "nonsubjects": not the word
        seen.add(match.group().rstrip("."))
        if found + len(seen) >= enough:
            return found + len(seen)
    if any(
        GROUP_BEFORE_RE.search(lowered, max(0, match.start() - 20), match.start())
        for match in N_GROUP_RE.finditer(lowered)
    ):
        seen.add("(n =")
    if found + len(seen) < enough and "from" in lowered and _has_word(LAB_SAMPLES_RE, lowered):
        seen.add("samples from")
    if found + len(seen) < enough and "normal " in lowered and _has_word(NORMALS_RE, lowered):
        seen.add("normal controls")
    return found + len(seen)


def _has_word(pattern: re.Pattern, lowered: str) -> bool:
    """Whether ``pattern`` (searched in lowered text, without a leading word boundary, which
    would slow it down) matches at the start of a word."""
    return any(
        not (match.start() and lowered[match.start() - 1].isalpha())
        for match in pattern.finditer(lowered)
    )


def _study_marks(whole: str, marks: dict[str, set[str]], enough: int) -> int:
    """How many marks of a study (not a case description) the text has, counting to
    ``enough`` at most."""
    found = len(marks.get("study", ()))
    if found >= enough:
        return found
    for _match in STUDY_CUE.finditer(whole):
        found += 1
        if found >= enough:
            break
    return found


def _kind(
    count: int | None, is_case_report_type: bool, single_cue: bool, series_cue: bool, whole: str
) -> str:
    if count is not None:
        return KIND_CASE_SERIES if count >= 2 else KIND_CASE_REPORT
    if series_cue:
        return KIND_CASE_SERIES
    if is_case_report_type and not single_cue:
        # "Representative cases are presented", "We present two new families".
        for start, end in sentences(whole):
            sentence = whole[start:end]
            if (
                REPORT_CUE.search(sentence)
                and PLURAL_REPORTED.search(sentence)
                and not LITERATURE_CUE.search(sentence)
            ):
                return KIND_CASE_SERIES
    return KIND_UNKNOWN


@dataclass(frozen=True, slots=True)
class _Counts:
    count: int | None = None
    evidence: Evidence | None = None
    reviewed: int | None = None  # cases of the literature counted beside the article's own
    reviewed_evidence: Evidence | None = None


def _count_matches(text: str) -> Iterator[re.Match]:
    """COUNT_RE's matches, each search going on after the previous number rather than after
    its noun (in "Thirty-two EEGs from six cases", "six cases" is found too), then
    N_EQUALS_RE's and TWINS_RE's (two, unless a number counts them)."""
    position = 0
    while match := COUNT_RE.search(text, position):
        yield match
        position = match.end("num")
    if "=" in text:
        yield from N_EQUALS_RE.finditer(text)
    if "twins" in text or "Twins" in text:
        for match in TWINS_RE.finditer(text):
            if not TWINS_COUNTED.search(text, max(0, match.start() - 30), match.start()):
                yield match  # "We describe non-identical twins": two patients


def _patient_count(texts: list[_Text]) -> _Counts:
    mentions: list[_Mention] = []
    singles: list[_Mention] = []
    literature: list[_Mention] = []
    enumerated = 0
    enumerated_evidence = None
    for where in texts:
        text = where.text
        spans = list(sentences(text))
        for match in _count_matches(text):
            value = parse_number(match.group("num")) if match.group("num") else 2  # twins
            gap_words = [w.strip(",").casefold() for w in match.group("gap").split()]
            if value is None or value == 0:
                continue
            # "two similar cases", "19 other reported cases": only ever the literature's.
            literature_only = bool(gap_words) and set(gap_words) <= LITERATURE_GAP
            own = gap_words == ["of", "our", "own"]  # "Two of our own patients are reported"
            if any(w in GAP_STOP for w in gap_words) and not (literature_only or own):
                continue
            if any(re.fullmatch(r"\d.*|%|years?|months?", w) for w in gap_words):
                continue
            after = text[match.end() : match.end() + 20]
            if SHARE_AFTER.match(text, match.end()):
                # "8 (50%) hospitalised patients", "66 patients (98 per cent)"; not "142
                # patients (84 per cent aged less than 20 years)"
                continue
            before = text[max(0, match.start() - 30) : match.start()].casefold()
            if NOT_A_COUNT_BEFORE.search(before):
                continue  # "stage 2 obese patients", "type 1 diabetic patients"
            if SUBSET_BEFORE.search(before) and not BESIDE_REVIEW_BEFORE.search(before):
                continue  # "two of the 16 girls", "3 men and 2 women" (not "Of the 58 patients")
            if re.match(r"\s*(?:of|with)\s+(?:these|them|whom|which)\b", after):
                continue  # "two cases of these", "4 patients of whom": a part of a group
            s_start, s_end = _sentence_of(spans, match.start())
            sentence = text[s_start:s_end]
            reported = _reports_count(sentence, match.start() - s_start)
            of_literature = LITERATURE_CUE.search(sentence) is not None
            if of_literature and (
                BESIDE_REVIEW_AFTER.match(text, match.end()) or BESIDE_REVIEW_BEFORE.search(before)
            ):
                # "15 cases and review of the literature", "Review of literature and 3 new
                # cases": the article's own cases, beside the review.
                reported, of_literature = True, False
            if of_literature and APPROXIMATE_BEFORE.search(before):
                reported = False  # "Until now there are reported some 60 cases"
            if reported and re.search(r"\bfirst\s+$", before):
                # "This paper presents the first 2 reported cases of ...": the first ever.
                of_literature = literature_only = False
            if literature_only and not (reported and not of_literature):
                # "two similar cases have been reported"; not "This report presents 4 such
                # cases", "We describe two additional cases": the authors' own.
                if not of_literature and not re.search(r"\breported|\bpublished", sentence):
                    continue
                of_literature, reported = True, False
            elif not of_literature and not reported:
                # "A literature review ... was conducted. We found 6 cases presenting with ..."
                previous = _previous_sentence(spans, text, s_start)
                of_literature = LITERATURE_REVIEW.search(previous) is not None
            score = 0
            if where.source == "title":
                score += 3
            if reported:
                score += 3
            if of_literature and not reported:
                score -= 6
            if s_start == 0 and where.source == "abstract":
                score += 1
            if SCREENED_CUE.search(sentence):
                score -= 3
            if re.search(r"\b(?:a\s+total\s+of|in\s+total,?)\s+$", before):
                score += 1  # "A total of 17 patients": the whole group
            if text[max(0, match.start() - 1) : match.start()] == "(":
                score -= 3  # "(three patients)": a part of a group counted before
            noun = match.group("noun").casefold()
            if noun in ("cases", "case reports") and value > 1 and of_literature:
                score -= 3
            beyond = bool(set(gap_words) & BEYOND_GAP)
            mention = _Mention(value, where, match.start(), match.end(), score, noun, beyond)
            mentions.append(mention)
            if of_literature and score < 0:
                literature.append(mention)
        for match in ENUMERATED_RE.finditer(text):
            if match.group("n"):
                number = int(match.group("n"))
            elif match.group("ord") or match.group("ord2"):
                number = ORDINALS[(match.group("ord") or match.group("ord2")).casefold()]
            else:
                number = ROMAN[(match.group("roman") or match.group("roman2")).casefold()]
            if number > enumerated and number <= 30:
                if match.group("ord") or match.group("ord2"):
                    s_start, s_end = _sentence_of(spans, match.start())
                    if LITERATURE_CUE.search(text[s_start:s_end]) or re.search(
                        r"\bto\s+our\s+knowledge", text[s_start:s_end], _FLAGS
                    ):
                        continue  # "this is the third case report" (of the literature)
                enumerated = number
                enumerated_evidence = where.evidence("patient_count", match.start(), match.end())
        for match in AGED_INTRODUCTION_RE.finditer(text):
            s_start, s_end = _sentence_of(spans, match.start())
            if LITERATURE_CUE.search(text[s_start:s_end]):
                continue
            score = 3 if where.source == "title" else 0
            if REPORT_CUE.search(text[s_start:s_end]):
                score += 3
            singles.append(_Mention(1, where, match.start(), match.end(), score, "person"))
        for match in INTRODUCTION_RE.finditer(text):
            mods = match.group("mods").casefold()
            if re.search(r"\b(?:of|in|with|by|from|on|for|and)\b", mods):
                continue
            s_start, s_end = _sentence_of(spans, match.start())
            sentence = text[s_start:s_end]
            if (
                LITERATURE_CUE.search(sentence)
                and not REPORT_CUE.search(sentence)
                and not BESIDE_REVIEW_AFTER.match(text, match.end())
            ):
                continue
            score = 3 if where.source == "title" else 0
            if REPORT_CUE.search(sentence) or SINGLE_CUE.search(sentence):
                score += 3
            singles.append(
                _Mention(1, where, match.start(), match.end(), score, match.group("noun"))
            )
    reviewed = next((m for m in literature), None)
    found = _Counts()
    if reviewed is not None:
        found = _Counts(
            reviewed=reviewed.value,
            reviewed_evidence=reviewed.where.evidence(
                "reviewed_count", reviewed.start, reviewed.end
            ),
        )
    best = max(mentions, key=lambda m: (m.score, m.value > 1), default=None)
    if best is not None and best.score < 0:
        best = None
    if enumerated >= 2 and (best is None or best.value < enumerated):
        return replace(found, count=enumerated, evidence=enumerated_evidence)
    if best is not None and (best.score >= 3 or not singles or best.value > 1):
        evidence = best.where.evidence("patient_count", best.start, best.end)
        if best.beyond and any(
            m.score >= 3 and m.where is best.where and m.start < best.start for m in singles
        ):
            # "We present one case ... The three subsequent cases illustrate": four.
            return replace(found, count=best.value + 1, evidence=evidence)
        return replace(found, count=best.value, evidence=evidence)
    if singles:
        # The best-cued introduction, and of those the first naming a person rather than a
        # "case": "We describe the case of a 64-year-old female" -> "a 64-year-old female".
        top = max(m.score for m in singles)
        best_cued = [m for m in singles if m.score == top]
        first = next((m for m in best_cued if m.noun.casefold() != "case"), best_cued[0])
        evidence = first.where.evidence("patient_count", first.start, first.end)
        return replace(found, count=1, evidence=evidence)
    return found


def _reports_count(sentence: str, position: int) -> bool:
    """Whether the sentence reports the authors' patients, for the number at ``position``:
    "We report 8 cases", "Two cases are described", "12 patients were included"; not "In
    four patients, we observed loss of pronation", where the authors' verb comes after."""
    return any(
        match.start() < position or not AUTHORS_CUE.match(sentence, match.start())
        for match in REPORT_CUE.finditer(sentence)
    )


def _sex_of(word: str) -> str | None:
    word = word.casefold()
    if re.fullmatch(MALE_WORDS, word):
        return "male"
    if re.fullmatch(FEMALE_WORDS, word):
        return "female"
    return None


def _sex(
    facts: Facts,
    texts: list[_Text],
    count: int | None,
    count_evidence: Evidence | None,
) -> None:
    def set_counts(male: int, female: int, evidence: list[Evidence]) -> None:
        facts.male_count, facts.female_count = male, female
        facts.evidence.extend(evidence)

    # 1. Explicit counts: "5 men and 3 women", "M:F = 2:1".
    for where in texts:
        for match in SEX_PAIR_RE.finditer(where.text):
            n1, n2 = parse_number(match.group("n1")), parse_number(match.group("n2"))
            s1, s2 = _sex_of(match.group("s1")), _sex_of(match.group("s2"))
            if None in (n1, n2) or s1 == s2 or None in (s1, s2):
                continue
            male, female = (n1, n2) if s1 == "male" else (n2, n1)
            if count is None or male + female == count:
                ev = where.evidence("male_count", match.start(), match.end())
                set_counts(male, female, [ev, _renamed(ev, "female_count")])
                return
        for match in SEX_SHARE_RE.finditer(where.text):
            n = parse_number(match.group("n"))
            sex = _sex_of(match.group("sex"))
            if count is not None and n is not None and sex is not None and n <= count:
                male = n if sex == "male" else count - n
                ev = where.evidence(
                    "male_count" if sex == "male" else "female_count", *match.span()
                )
                set_counts(male, count - male, [ev])
                return
        for match in SEX_RATIO_RE.finditer(where.text):
            male, female = int(match.group("m")), int(match.group("f"))
            if count is not None and male + female == count:
                ev = where.evidence("male_count", match.start(), match.end())
                set_counts(male, female, [ev, _renamed(ev, "female_count")])
                return
        if count and count >= 2:
            for match in ALL_ONE_SEX_RE.finditer(where.text):
                if match.group("all").casefold() == "both" and count != 2:
                    continue
                number = re.search(NUMBER, match.group(0)[4:], _FLAGS)
                if number and parse_number(number.group()) not in (None, count):
                    continue  # "all 3 biopsied patients were men": some of them
                male = count if _sex_of(match.group("sex")) == "male" else 0
                ev = where.evidence("male_count" if male else "female_count", *match.span())
                set_counts(male, count - male, [ev])
                return
    # 2. The count phrase, or another phrase of the same number, names a sex: "two
    # brothers", "3 adolescent female patients"; "2 operated cases ... two young men".
    phrases = []
    if count and count_evidence is not None:
        phrases = [count_evidence]
        if count >= 2:
            phrases += [
                where.evidence("sex", *match.span())
                for where in texts
                for match in _count_matches(where.text)
                if parse_number(match.group("num")) == count
            ]
        for phrase in phrases:
            words = re.findall(r"[\w-]+", phrase.text.casefold())
            sexes = {_sex_of(w) for w in words} - {None}
            if len(sexes) == 1:
                male = count if sexes == {"male"} else 0
                ev = _renamed(phrase, "male_count" if male else "female_count")
                set_counts(male, count - male, [ev])
                return
    # "19 participants (13 women)": one sex counted beside the count, the rest the other.
    if count and count >= 2 and count_evidence is not None:
        where = texts[0] if count_evidence.source == "title" else texts[1]
        if match := SEX_BESIDE_COUNT_RE.match(where.text, count_evidence.end):
            n, sex = parse_number(match.group("n")), _sex_of(match.group("sex"))
            if n is not None and sex is not None and n <= count:
                male = n if sex == "male" else count - n
                name = "male_count" if sex == "male" else "female_count"
                set_counts(male, count - male, [where.evidence(name, *match.span("n"))])
                return
    # "both women": two patients of one sex.
    if count == 2:
        for where in texts:
            if match := BOTH_SEX_RE.search(where.text):
                sex = _sex_of(match.group("sex"))
                male = 2 if sex == "male" else 0
                ev = where.evidence("male_count" if male else "female_count", *match.span())
                set_counts(male, 2 - male, [ev])
                return
    # 3. The sentence of the count, or of another phrase of the same number, names one sex
    # for all: "3 cases in adolescent female patients", "We describe four women with ...",
    # title "Apropos of 2 cases", "The authors report two cases ...; they were young men".
    if count and count >= 2:
        seen = set()
        spans = {where.source: list(sentences(where.text)) for where in texts}
        for phrase in phrases:
            where = texts[0] if phrase.source == "title" else texts[1]
            start, end = _sentence_of(spans[where.source], phrase.start)
            if (where.source, start) in seen:
                continue
            seen.add((where.source, start))
            found = [
                (m, _sex_of(m.group("sex"))) for m in PLURAL_SEX_RE.finditer(where.text, start, end)
            ]
            # Every sex word of the sentence, kin too: not "a 56 year old female and her 29
            # year old son".
            sexes = {sex for _, sex in found}
            sexes |= {_sex_of(m.group()) for m in ANY_SEX_RE.finditer(where.text, start, end)}
            counted = any(
                re.search(
                    r"(?:\d%?|\bn\s*=\s*\d+)\s*$", where.text[max(0, m.start() - 12) : m.start()]
                )
                for m, _ in found
            )
            # "n = 45 females", "60% males": some of them, counted; not everyone.
            if found and len(sexes) == 1 and not counted:
                match, sex = found[0]
                male = count if sex == "male" else 0
                name = "male_count" if sex == "male" else "female_count"
                set_counts(male, count - male, [where.evidence(name, *match.span())])
                return
    # 4. One introduction per patient: "a 28-year-old man ... a 60-year-old woman". Abstracts
    # introduce a dozen patients one by one at most; larger series are not read this way.
    if count is None or count > MAX_INTRODUCED:
        return
    intros: list[tuple[str, Evidence]] = []
    for where in texts:
        for match in SEXED_INTRODUCTION_RE.finditer(where.text):
            if sex := _introduced_sex(match):
                intros.append((sex, where.evidence("sex", *match.span("sex"))))
    title_intros = [i for i in intros if i[1].source == "title"]
    body_intros = [i for i in intros if i[1].source == "abstract"]
    if count == 1:
        chosen = body_intros[:1] or title_intros[:1]
        if chosen:
            sex, ev = chosen[0]
            _one_sex(facts, sex, ev)
            return
        if not _pronouns(facts, texts):
            _organ_sex(facts, texts, count, None)
        return
    if count and count >= 2 and len(body_intros) == count:
        male = sum(1 for sex, _ in body_intros if sex == "male")
        evidence = [
            _renamed(ev, "male_count" if sex == "male" else "female_count")
            for sex, ev in body_intros
        ]
        set_counts(male, count - male, evidence)
        return
    if count and count >= 2 and not _numbered_sexes(facts, texts[1], count):
        _organ_sex(facts, texts, count, count_evidence)


def _numbered_sexes(facts: Facts, abstract: _Text, count: int) -> bool:
    """ "Patient 1 ... she presented ... Patient 2 ... he presented": each numbered case's
    part of the abstract names one sex, by an introduction or by pronouns."""
    starts = []
    for number in range(1, count + 1):
        roman = [k for k, v in ROMAN.items() if v == number][0]
        match = re.compile(
            rf"\b(?:case|patient)\s*(?:no\.?\s*)?(?:{number}|{roman})\b(?![-‐])", _FLAGS
        ).search(abstract.text, starts[-1] + 1 if starts else 0)
        if match is None:
            return False
        starts.append(match.start())
    sexes = []
    for start, end in zip(starts, starts[1:] + [len(abstract.text)], strict=True):
        part = abstract.text[start:end]
        found = {_introduced_sex(m) for m in SEXED_INTRODUCTION_RE.finditer(part)}
        found |= {"male"} if HE_RE.search(part) else set()
        found |= {"female"} if SHE_RE.search(part) else set()
        found -= {None}
        if len(found) != 1:
            return False
        sexes.append((found.pop(), start))
    male = sum(1 for sex, _ in sexes if sex == "male")
    facts.male_count, facts.female_count = male, count - male
    facts.evidence.extend(
        abstract.evidence("male_count" if sex == "male" else "female_count", start, start + 9)
        for sex, start in sexes
    )
    return True


def _organ_sex(
    facts: Facts, texts: list[_Text], count: int, count_evidence: Evidence | None
) -> None:
    """The sex of a single case, or of a series in its count's sentence, from an organ or
    state only one sex has (pregnancy, the cervix, the prostate), when the text names no
    newborn or child and not both sexes' organs."""
    if count_evidence is None:
        # A single case: sentences that speak of it ("We report a case of ... the cervix
        # uteri"), not the background ("used to reduce heavy menstruation").
        pieces = [
            (where, start, end)
            for where in texts
            for start, end in sentences(where.text)
            if REPORT_CUE.search(where.text, start, end)
            or INTRODUCTION_RE.search(where.text, start, end)
            or AGED_INTRODUCTION_RE.search(where.text, start, end)
        ]
    else:
        where = texts[0] if count_evidence.source == "title" else texts[1]
        pieces = [(where, *_sentence_of(list(sentences(where.text)), count_evidence.start))]
    if any(NEWBORN_RE.search(where.text) for where in texts):
        return
    female = [(w, m) for w, a, b in pieces if (m := FEMALE_ONLY_RE.search(w.text, a, b))]
    male = [(w, m) for w, a, b in pieces if (m := MALE_ONLY_RE.search(w.text, a, b))]
    if bool(female) == bool(male):
        return
    where, match = (female or male)[0]
    sex = "female" if female else "male"
    facts.male_count = count if sex == "male" else 0
    facts.female_count = count - facts.male_count
    facts.evidence.append(where.evidence(f"{sex}_count", *match.span()))


MAX_INTRODUCED = 12
# Plural or kin words after "a": not one patient introduced ("a 76-year-old women" is a typo
# too rare to read; "a boy and his mother" introduces a boy).
NOT_INTRODUCED = KIN | {
    "men",
    "women",
    "males",
    "females",
    "boys",
    "girls",
    "brothers",
    "sisters",
    "sons",
    "daughters",
    "mothers",
    "ladies",
}


def _introduced_sex(match: re.Match) -> str | None:
    """The sex of one patient introduced by SEXED_INTRODUCTION_RE's ``match``, or None."""
    word = match.group("sex").casefold()
    if word in NOT_INTRODUCED:
        return None
    if re.search(
        r"\b(?:of|with|by|from|in|on|and|her|his|their)\b",
        match.group(0).casefold().rsplit(" ", 1)[0],
    ):
        return None
    return _sex_of(word)


def _one_sex(facts: Facts, sex: str, evidence: Evidence) -> None:
    if sex == "male":
        facts.male_count, facts.female_count = 1, 0
        facts.evidence.append(_renamed(evidence, "male_count"))
    else:
        facts.male_count, facts.female_count = 0, 1
        facts.evidence.append(_renamed(evidence, "female_count"))


def _pronouns(facts: Facts, texts: list[_Text]) -> bool:
    """One sex's pronouns for a single case; whether the abstract has any pronoun."""
    abstract = texts[1]
    he = list(HE_RE.finditer(abstract.text))
    she = list(SHE_RE.finditer(abstract.text))
    if he and not she:
        _one_sex(facts, "male", abstract.evidence("sex", he[0].start(), he[0].end()))
    elif she and not he:
        _one_sex(facts, "female", abstract.evidence("sex", she[0].start(), she[0].end()))
    return bool(he or she)


def _renamed(evidence: Evidence, name: str) -> Evidence:
    return Evidence(name, evidence.source, evidence.start, evidence.end, evidence.text)


def _years(value: str, unit: str | None) -> float | None:
    half = re.fullmatch(r"(\d+)\s*(?:1/2|½)", value)
    if half:
        number: float | None = int(half.group(1)) + 0.5
    elif re.fullmatch(r"\d+(?:\.\d+)?", value):
        number = float(value)
    else:
        number = parse_number(value)
    if number is None:
        return None
    unit = (unit or "year").casefold()
    if unit.startswith(("month", "mo", "mth")):
        return round(number / 12, 3)
    if unit.startswith(("week", "wk")):
        return round(number / 52, 3)
    if unit.startswith("day"):
        return round(number / 365, 3)
    return float(number)


def _ages(facts: Facts, texts: list[_Text], count: int | None) -> None:
    individual: list[tuple[float, Evidence]] = []
    for where in texts:
        for match in INDIVIDUAL_AGE_RE.finditer(where.text):
            if match.group("age"):
                value = _years(match.group("age"), match.group("unit"))
            elif match.group("age2"):
                value = _years(match.group("age2"), match.group("unit2"))
            else:
                value = _years(match.group("age3"), match.group("unit3"))
            before = where.text[max(0, match.start() - 20) : match.start()].casefold()
            if value is None or value > 120 or re.search(r"\b(?:at|since|until|by)\s+$", before):
                continue
            if re.search(r"\d\s*(?:-|–|to)\s*$", before):
                continue  # the end of a range: "between the ages of 20-40 years old"
            individual.append((value, where.evidence("age", match.start(), match.end())))
    ranges = []
    stats = []
    for where in texts:
        for match in AGE_RANGE_RE.finditer(where.text):
            if match.group("low2"):
                unit = match.group("unit2")
                low_text, high_text = match.group("low2"), match.group("high2")
            else:
                unit = match.group("unit") or match.group("lowunit")
                low_text, high_text = match.group("low"), match.group("high")
            low, high = _years(low_text, unit), _years(high_text, unit)
            if low is not None and high is not None and low <= high <= 120:
                ranges.append((low, high, where.evidence("age", match.start(), match.end())))
        for match in AGE_STAT_RE.finditer(where.text):
            value = _years(match.group("value"), match.group("unit"))
            if value is not None and value <= 120:
                stats.append(
                    (match.group("stat").casefold(), value, where.evidence("age", *match.span()))
                )
    if count == 1 and individual:
        body = [i for i in individual if i[1].source == "abstract"] or individual
        value, ev = body[0]
        facts.age_min_years = facts.age_max_years = value
        facts.evidence.append(ev)
        return
    if count == 1:
        return
    if ranges:
        low, high, ev = ranges[0]
        facts.age_min_years, facts.age_max_years = low, high
        facts.evidence.append(ev)
    elif count and len(individual) >= 2:
        body = [i for i in individual if i[1].source == "abstract"][:count]
        if len(body) >= 2:
            values = [v for v, _ in body]
            facts.age_min_years, facts.age_max_years = min(values), max(values)
            facts.evidence.extend(ev for _, ev in body)
    for stat, value, ev in stats:
        if stat in ("mean", "average") and facts.age_mean_years is None:
            facts.age_mean_years = value
            facts.evidence.append(ev)
        elif stat == "median" and facts.age_median_years is None:
            facts.age_median_years = value
            facts.evidence.append(ev)


def _age_groups(facts: Facts, texts: list[_Text], count_evidence: Evidence | None) -> None:
    ages = [
        a for a in (facts.age_min_years, facts.age_max_years, facts.age_mean_years) if a is not None
    ]
    if facts.age_min_years is not None and facts.age_max_years is not None:
        low, high = facts.age_min_years, facts.age_max_years
        facts.has_child = low < 18
        facts.has_adult = low < 65 and high >= 18
        facts.has_older_adult = high >= 65
        return
    if ages:
        facts.has_child = ages[0] < 18
        facts.has_adult = 18 <= ages[0] < 65
        facts.has_older_adult = ages[0] >= 65
        return
    if count_evidence is None:
        return
    phrase = count_evidence.text
    if re.search(rf"\b(?:{CHILD_WORDS})\b", phrase, _FLAGS):
        facts.has_child = True
    elif re.search(rf"\b(?:{OLDER_WORDS})\b", phrase, _FLAGS):
        facts.has_older_adult = True
    elif re.search(rf"\b(?:{ADULT_WORDS})\b", phrase, _FLAGS):
        facts.has_adult = True
    else:
        return
    facts.evidence.append(_renamed(count_evidence, "age_group"))


def abstract_text(section_texts: Iterable[str]) -> str:
    """The abstract as ``extract`` reads it and evidence offsets count: section texts joined
    by one newline (the labels are left out)."""
    return "\n".join(section_texts)
