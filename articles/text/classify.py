"""Disease, therapy or cause: classify an article's MeSH headings and substances.

Pure Python, no Django: it runs in ingest's parser processes. The MeSH tree says what a
descriptor is; the qualifiers a heading carries in the record say how the article uses it.

Rules (``classify_heading``):

- Diseases tree (C) and Mental Disorders (F03): **disease**, whatever the qualifiers. A disease
  qualified "chemically induced" stays a disease (it is what the patients have); the drug that
  induced it is the heading qualified "adverse effects" / "poisoning" / "toxicity", which is a
  cause (next rule).
- Chemicals and Drugs (D), Therapeutics (E02) and Surgical Procedures (E04): **cause** when
  qualified "adverse effects", "poisoning" or "toxicity" (a drug or procedure that harmed, not
  one that treated; ``heading_roles`` adds therapy when it is also qualified "therapeutic
  use" or "administration & dosage"); otherwise **therapy**,
  except a chemical whose qualifiers are all about measuring it ("blood", "analysis",
  "immunology", ...): autoantibodies measured in the blood are not a treatment; nor are
  diagnostic agents and biomarkers (contrast media, radiopharmaceuticals, probes) unless
  qualified "therapeutic use" or "administration & dosage".
- Descriptors missing from the MeSH data (newer than the bundled 2024 release) fall back on
  the qualifiers: "adverse effects"/"poisoning"/"toxicity" = cause, "therapeutic use" /
  "administration & dosage" = therapy, disease-only qualifiers ("drug therapy", "surgery",
  "diagnosis", "complications", ...) = disease.
- Anything else (anatomy, organisms, check tags such as Humans or Female): no role.

Substances (the record's chemical list): a substance whose UI is also one of the article's
headings is classified there (the heading has the qualifiers). A substance naming a MeSH
descriptor classifies by its tree like an unqualified heading. A supplementary concept (UI
starting with C, no tree data) is a therapy only when it has a registry number (a defined
drug, not "0") and the article treats something with drugs (a heading qualified "drug
therapy" or "therapeutic use"); supplementary concepts without a registry number are mostly
antibodies and biomarkers, which we leave out.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from articles.pubmed import records as r

MESH_FILE = Path(__file__).resolve().parent / "mesh_data" / "mesh_descriptors_2024.tsv.gz"

DISEASE = "disease"
THERAPY = "therapy"
CAUSE = "cause"

# ArticleConcept.Source values.
FROM_MESH = "mesh"
FROM_SUBSTANCE = "substance"
FROM_QUALIFIER = "qualifier"

# Qualifier UIs of the qualifiers the rules use, so callers may pass UIs or names.
QUALIFIER_NAMES = {
    "Q000000981": "diagnostic imaging",
    "Q000008": "administration & dosage",
    "Q000009": "adverse effects",
    "Q000032": "analysis",
    "Q000096": "biosynthesis",
    "Q000097": "blood",
    "Q000134": "cerebrospinal fluid",
    "Q000139": "chemically induced",
    "Q000143": "congenital",
    "Q000150": "complications",
    "Q000166": "cytology",
    "Q000172": "deficiency",
    "Q000175": "diagnosis",
    "Q000178": "diet therapy",
    "Q000188": "drug therapy",
    "Q000209": "etiology",
    "Q000235": "genetics",
    "Q000276": "immunology",
    "Q000302": "isolation & purification",
    "Q000378": "metabolism",
    "Q000382": "microbiology",
    "Q000401": "mortality",
    "Q000453": "epidemiology",
    "Q000469": "parasitology",
    "Q000473": "pathology",
    "Q000493": "pharmacokinetics",
    "Q000502": "physiology",
    "Q000503": "physiopathology",
    "Q000506": "poisoning",
    "Q000517": "prevention & control",
    "Q000532": "radiotherapy",
    "Q000534": "rehabilitation",
    "Q000556": "secondary",
    "Q000557": "secretion",
    "Q000601": "surgery",
    "Q000627": "therapeutic use",
    "Q000628": "therapy",
    "Q000633": "toxicity",
    "Q000648": "ultrastructure",
    "Q000652": "urine",
    "Q000737": "chemistry",
    "Q000821": "virology",
}

HARM = frozenset({"adverse effects", "poisoning", "toxicity"})
TREATS_WITH = frozenset({"therapeutic use", "administration & dosage"})
TREATED = frozenset(
    {"diet therapy", "drug therapy", "radiotherapy", "rehabilitation", "surgery", "therapy"}
)
DISEASE_ONLY = TREATED | frozenset(
    {
        "chemically induced",
        "complications",
        "congenital",
        "diagnosis",
        "diagnostic imaging",
        "epidemiology",
        "etiology",
        "microbiology",
        "mortality",
        "parasitology",
        "pathology",
        "physiopathology",
        "prevention & control",
        "secondary",
        "virology",
    }
)
# A chemical carrying only these qualifiers was measured or studied, not given.
MEASURED = frozenset(
    {
        "analysis",
        "biosynthesis",
        "blood",
        "cerebrospinal fluid",
        "chemistry",
        "cytology",
        "deficiency",
        "genetics",
        "immunology",
        "isolation & purification",
        "metabolism",
        "physiology",
        "secretion",
        "ultrastructure",
        "urine",
    }
)
THERAPY_TREES = ("D", "E02", "E04")
# Diagnostic agents (contrast media, probes, reagents) and biomarkers: chemicals that are
# given or measured to find a disease, not to treat it, unless a qualifier says otherwise.
DIAGNOSTIC_TREES = ("D27.505.259", "D27.720.259", "D27.720.470", "D23.101")
DISEASE_TREES = ("C", "F03")


@dataclass(frozen=True, slots=True)
class Concept:
    """One ArticleConcept row to be: a descriptor in a role, and where that came from."""

    ui: str
    role: str
    source: str
    major: bool = False


def qualifier_name(qualifier: str) -> str:
    """A qualifier's name, casefolded, from its name or its UI."""
    return QUALIFIER_NAMES.get(qualifier, qualifier).casefold()


def heading_roles(
    ui: str, qualifiers: Iterable[str], tree_numbers: Sequence[str] | None
) -> tuple[str, ...]:
    """Every role of a heading: ``classify_heading``'s, plus "therapy" for a drug or
    procedure qualified both "adverse effects" (a cause) and "therapeutic use": the article
    gave it as treatment and reports the harm it did."""
    qualifiers = [qualifier_name(q) for q in qualifiers]
    role = classify_heading(ui, qualifiers, tree_numbers)
    if role == CAUSE and set(qualifiers) & TREATS_WITH:
        return (CAUSE, THERAPY)
    return (role,) if role else ()


def classify_heading(ui: str, qualifiers: Iterable[str], tree_numbers: Sequence[str] | None) -> str:
    """The role of a MeSH heading: "disease", "therapy", "cause" or "" (none).

    ``qualifiers`` are names ("adverse effects") or UIs ("Q000009"). ``tree_numbers`` are the
    descriptor's MeSH tree numbers; ``None`` means the descriptor is not in the MeSH data, so
    the qualifiers decide alone.
    """
    names = {qualifier_name(q) for q in qualifiers}
    if tree_numbers is None:
        return _by_qualifiers(names)
    if any(number.startswith(DISEASE_TREES) for number in tree_numbers):
        return DISEASE
    if any(number.startswith(THERAPY_TREES) for number in tree_numbers):
        if names & HARM:
            return CAUSE
        is_chemical = any(number.startswith("D") for number in tree_numbers)
        if is_chemical and names and names <= MEASURED:
            return ""
        if not names & TREATS_WITH and any(n.startswith(DIAGNOSTIC_TREES) for n in tree_numbers):
            return ""
        return THERAPY
    return ""


def _by_qualifiers(names: set[str]) -> str:
    if names & HARM:
        return CAUSE
    if names & TREATS_WITH:
        return THERAPY
    if names & DISEASE_ONLY:
        return DISEASE
    return ""


@lru_cache(maxsize=4)
def load_tree(path: str | Path = MESH_FILE) -> dict[str, tuple[str, ...]]:
    """Descriptor UI -> its tree numbers, read once per process from the bundled MeSH file
    (0.1 s). Check tags such as Humans map to an empty tuple."""
    tree: dict[str, tuple[str, ...]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        next(stream)
        for line in stream:
            ui, _name, numbers, _rest = line.split("\t", 3)
            tree[ui] = tuple(numbers.split("|")) if numbers else ()
    return tree


def article_concepts(
    article: r.Article, tree: dict[str, tuple[str, ...]] | None = None
) -> list[Concept]:
    """The article's diseases, therapies and causes, one per (descriptor, role), in heading
    order then substance order."""
    if tree is None:
        tree = load_tree()
    concepts: dict[tuple[str, str], Concept] = {}
    heading_uis = set()
    treats_with_drugs = False
    for heading in article.mesh_headings:
        if not heading.ui:
            continue
        heading_uis.add(heading.ui)
        names = [q.name or q.ui for q in heading.qualifiers]
        if {qualifier_name(n) for n in names} & {"drug therapy", "therapeutic use"}:
            treats_with_drugs = True
        numbers = tree.get(heading.ui)
        source = FROM_MESH if numbers is not None else FROM_QUALIFIER
        for role in heading_roles(heading.ui, names, numbers):
            _add(concepts, Concept(heading.ui, role, source, heading.is_major))
    for chemical in article.chemicals:
        ui = chemical.ui
        if not ui or ui in heading_uis:
            continue
        numbers = tree.get(ui)
        if numbers is not None:
            role = classify_heading(ui, (), numbers)
        elif ui.startswith("C") and treats_with_drugs and chemical.registry_number not in ("", "0"):
            role = THERAPY
        else:
            role = ""
        if role:
            _add(concepts, Concept(ui, role, FROM_SUBSTANCE))
    return list(concepts.values())


def _add(concepts: dict[tuple[str, str], Concept], concept: Concept) -> None:
    key = (concept.ui, concept.role)
    known = concepts.get(key)
    if known is None or (concept.major and not known.major):
        concepts[key] = concept
