"""The case-facts panel of the article page: a one-line summary ("Case series, n = 5 (2 men,
3 women), ages 45-67 years"), each value's evidence marked in its sentence, the title and
abstract with every evidence span marked, and the article's diseases, therapies and causes.

Everything from the data is escaped here (``format_html``/``escape``); the only markup added
is ``<mark>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from articles import curated
from articles.text.facts import abstract_text

register = template.Library()

FIELD_LABELS = {
    "patient_count": "Patients",
    "male_count": "Male",
    "female_count": "Female",
    "reviewed_count": "Cases reviewed from the literature",
    "age": "Age",
    "age_group": "Age group",
}
CONTEXT = 70  # characters of the sentence shown on each side of an evidence span


@dataclass
class EvidenceLine:
    label: str
    source: str
    snippet: SafeString


# Where a concept comes from, as the panel says it.
SOURCE_LABELS = {
    "mesh": "MeSH",
    "substance": "MeSH substance",
    "qualifier": "MeSH",
    "text": "text",
    "curator": "curator",
}


@dataclass
class ConceptLine:
    name: str
    source: str  # SOURCE_LABELS value
    prior: bool = False  # a therapy given before


@dataclass
class FactsView:
    summary: str = ""
    evidence: list[EvidenceLine] = field(default_factory=list)
    title_marked: SafeString = mark_safe("")
    sections_marked: list[tuple[str, SafeString]] = field(default_factory=list)
    diseases: list[ConceptLine] = field(default_factory=list)
    therapies: list[ConceptLine] = field(default_factory=list)
    causes: list[ConceptLine] = field(default_factory=list)
    facts_corrected: bool = False  # a curator corrected the case facts shown
    concepts_corrected: bool = False  # a curator corrected the concepts shown

    def __bool__(self) -> bool:
        return bool(self.summary or self.diseases or self.therapies or self.causes)


@register.simple_tag
def facts_view(article) -> FactsView:
    """What the panel shows for an article fetched with ``for_detail()`` (no queries)."""
    view = FactsView()
    # Stored facts and concepts hold curators' corrections (articles.curated.apply);
    # articles.curation.actions.apply_corrections says which of the two were corrected.
    view.facts_corrected = getattr(article, "facts_corrected", False)
    view.concepts_corrected = getattr(article, "concepts_corrected", False)
    try:
        facts = article.facts
    except ObjectDoesNotExist:
        facts = None
    sections = list(article.abstract_sections.all())
    texts = {"title": article.title, "abstract": abstract_text(s.text for s in sections)}
    concepts = list(article.concepts.all())  # for_detail() prefetches the effective ones
    concept_spans = [e for c in concepts for e in c.evidence if _valid(e, texts)]
    spans = []
    if facts is not None and facts.kind in ("case_report", "case_series"):
        view.summary = summary(facts)
        spans = [e for e in facts.evidence if _valid(e, texts)]
        view.evidence = [
            EvidenceLine(
                FIELD_LABELS.get(e["field"], e["field"]),
                e["source"],
                snippet(texts[e["source"]], e),
            )
            for e in spans
        ]
    if spans or concept_spans:
        # Every span the panel shows, facts' and concepts', marked in the whole text.
        spans = spans + concept_spans
        view.title_marked = marked(texts["title"], _ranges(spans, "title"), 0)
        offset = 0
        abstract_ranges = _ranges(spans, "abstract")
        for section in sections:
            view.sections_marked.append(
                (section.label, marked(section.text, abstract_ranges, offset))
            )
            offset += len(section.text) + 1
    lists = {"disease": view.diseases, "therapy": view.therapies, "cause": view.causes}
    names = {h.descriptor_id: h.descriptor.name for h in article.mesh_headings.all()}
    names.update({s.ui: s.name for s in article.substances.all() if s.ui and s.ui not in names})
    if missing := {c.descriptor_id for c in concepts} - names.keys():
        # A concept a curator added, or one found in the text, that the record does not name.
        names.update(curated.descriptor_names(missing))
    for concept in concepts:
        lists[concept.role].append(
            ConceptLine(
                names.get(concept.descriptor_id, concept.descriptor_id),
                SOURCE_LABELS.get(concept.source, concept.source),
                concept.prior,
            )
        )
    return view


def summary(facts) -> str:
    """ "Case series, n = 5 (2 men, 3 women), ages 45-67 years"."""
    kind = "Case series" if facts.kind == "case_series" else "Case report"
    text = kind
    if facts.patient_count is not None:
        text += f", n = {facts.patient_count}"
    if facts.male_count is not None and facts.female_count is not None:
        male, female = _sex_words(facts)
        parts = []
        if facts.male_count:
            parts.append(f"{facts.male_count} {male}")
        if facts.female_count:
            parts.append(f"{facts.female_count} {female}")
        if parts:
            text += f" ({', '.join(parts)})"
    ages = _ages(facts)
    if ages:
        text += f", {ages}"
    if getattr(facts, "reviewed_count", None):
        text += f"; {facts.reviewed_count} published cases reviewed"
    return text


def _sex_words(facts) -> tuple[str, str]:
    if facts.has_child and not (facts.has_adult or facts.has_older_adult):
        return (
            "boy" if facts.male_count == 1 else "boys",
            "girl" if facts.female_count == 1 else "girls",
        )
    if facts.has_child:
        return ("male", "female")
    return (
        "man" if facts.male_count == 1 else "men",
        "woman" if facts.female_count == 1 else "women",
    )


def _age(years: float) -> str:
    if years < 2:
        months = round(years * 12)
        return f"{months} month" + ("" if months == 1 else "s")
    return f"{years:g} years"


def _ages(facts) -> str:
    parts = []
    low, high = facts.age_min_years, facts.age_max_years
    if low is not None and high is not None:
        if low == high:
            parts.append(f"age {_age(low)}")
        elif low < 2 or high < 2:
            parts.append(f"ages {_age(low)} to {_age(high)}")
        else:
            parts.append(f"ages {low:g}-{high:g} years")
    if facts.age_mean_years is not None:
        parts.append(f"mean age {_age(facts.age_mean_years)}")
    if facts.age_median_years is not None:
        parts.append(f"median age {_age(facts.age_median_years)}")
    return ", ".join(parts)


def _valid(evidence: dict, texts: dict[str, str]) -> bool:
    """A span that still slices its text to its phrase (the record may have changed since)."""
    text = texts.get(evidence.get("source"))
    start, end = evidence.get("start"), evidence.get("end")
    return (
        text is not None
        and isinstance(start, int)
        and isinstance(end, int)
        and 0 <= start < end <= len(text)
        and text[start:end] == evidence.get("text")
    )


def _ranges(spans: list[dict], source: str) -> list[tuple[int, int]]:
    """The spans of one text, overlapping ones merged."""
    merged: list[list[int]] = []
    for start, end in sorted((e["start"], e["end"]) for e in spans if e["source"] == source):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def marked(text: str, ranges: list[tuple[int, int]], offset: int) -> SafeString:
    """``text`` escaped, with the parts inside ``ranges`` (offsets counted from ``offset``
    before the text's start) wrapped in ``<mark>``."""
    out = []
    position = 0
    for start, end in ranges:
        start, end = max(start - offset, 0), min(end - offset, len(text))
        if start >= end or start < position:
            continue
        out.append(escape(text[position:start]))
        out.append(format_html("<mark>{}</mark>", text[start:end]))
        position = end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))


def snippet(text: str, evidence: dict) -> SafeString:
    """The evidence in its sentence, shortened to ``CONTEXT`` characters on each side."""
    start, end = evidence["start"], evidence["end"]
    left = max(text.rfind("\n", 0, start) + 1, start - CONTEXT)
    line_end = text.find("\n", end)
    right = min(line_end if line_end != -1 else len(text), end + CONTEXT)
    return format_html(
        "{}{}<mark>{}</mark>{}{}",
        "…" if left > 0 and text[left - 1] != "\n" else "",
        text[left:start],
        text[start:end],
        text[end:right],
        "…" if right < len(text) and text[right] != "\n" else "",
    )
