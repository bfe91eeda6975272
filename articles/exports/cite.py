"""Formatted citations to copy, as PubMed's "Cite" dialog gives them: AMA, APA and NLM.

Each citation is rendered by citeproc-py, a CSL processor, from the record's CSL-JSON
(``articles.exports.formats.to_csl``) and a Citation Style Language style shipped in
``articles/exports/csl/`` (see its README). Nothing here writes a citation by hand: the
styles decide punctuation, author lists, abbreviations and italics.

Parsing a style takes milliseconds and rendering one reference with it 10 to 40 (APA is the
slowest), so parsed styles are kept per process and rendered citations in a bounded cache
keyed by the CSL item itself: a record that changes (a new version, a curator's correction)
is a new key. citeproc-py 0.11 gets three things wrong with these styles, worked around below
and tested in tests/test_cite.py: localized date parts run together, a substituted title is
printed twice, and the record's own text is not HTML-escaped.
"""

from __future__ import annotations

import functools
import html
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.model import Substitute, Text
from citeproc.source.json import CiteProcJSON
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from articles.exports.formats import to_csl

CSL_DIR = Path(__file__).parent / "csl"
CSL_NS = {"cs": "http://purl.org/net/xbiblio/csl"}


@dataclass(frozen=True)
class Style:
    name: str  # the ``style`` URL parameter
    label: str
    title: str
    file: str


STYLES: dict[str, Style] = {
    style.name: style
    for style in (
        Style(
            "ama", "AMA", "AMA Manual of Style, 11th edition", "american-medical-association.csl"
        ),
        Style("apa", "APA", "APA Style, 7th edition", "apa.csl"),
        Style(
            "nlm",
            "NLM/Vancouver",
            "NLM/Vancouver: Citing Medicine, 2nd edition",
            "nlm-citation-sequence.csl",
        ),
    )
}
# PubMed's Cite dialog opens on AMA too.
DEFAULT_STYLE = "ama"

# CSL-JSON keys of ``to_csl`` that no style here prints: left out of what citeproc reads
# (``journalAbbreviation`` is Zotero's old name of ``container-title-short``, which citeproc-py
# warns about; an abstract is long and never cited).
UNCITED_KEYS = ("journalAbbreviation", "abstract")

# citeproc-py keeps per-render state on a style's root (its output formatter); renders of one
# process take turns.
_render_lock = threading.Lock()


@dataclass(frozen=True)
class FormattedCitation:
    pmid: int
    html: SafeString  # citeproc's HTML: text escaped, italics as <i>

    @property
    def text(self) -> str:
        """The citation as plain text: what a "Copy" button puts on the clipboard."""
        return html.unescape(strip_tags(self.html))


def style_or_default(name: str | None) -> Style:
    return STYLES.get(name or "", STYLES[DEFAULT_STYLE])


def cite(records: Iterable[dict[str, Any]], style: Style) -> list[FormattedCitation]:
    """The citation of each exported record (``export.article_to_dict``, with curators'
    corrections laid over it by the caller) in ``style``, in the records' order."""
    citations = []
    for record in records:
        item = {k: _escaped(v) for k, v in to_csl(record).items() if k not in UNCITED_KEYS}
        rendered = _render(style.name, json.dumps(item, sort_keys=True, ensure_ascii=False))
        citations.append(FormattedCitation(record["pmid"], mark_safe(rendered)))
    return citations


def _escaped(value: Any) -> Any:
    """HTML-escape every text of a CSL item: citeproc-py's HTML formatter escapes the words
    a style adds ("&" in APA's author lists) but passes the item's own text through, so a
    title holding "<script>" would reach the page as markup."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


@functools.lru_cache(maxsize=4096)
def _render(style_name: str, item_json: str) -> str:
    item = json.loads(item_json)
    style = _style(style_name)
    with _render_lock:
        bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.html)
        bibliography.register(Citation([CitationItem(item["id"])]))
        [entry] = bibliography.bibliography()
    return str(entry).strip()


@functools.cache
def _style(name: str) -> CitationStylesStyle:
    """A style parsed once per process. The shipped files are 2026 styles; citeproc-py's own
    schema is older, so they are read without validation (the tests render each one)."""
    style = CitationStylesStyle(str(CSL_DIR / STYLES[name].file), validate=False)
    _drop_reference_numbers(style)
    _delimit_localized_dates(style)
    return style


# CSL suppresses a substituted variable in the rest of the output: a record with no author
# (PMID 34097092) shows its title in the author's place, and not again. citeproc-py 0.11 does
# so only for a substitute that names the variable itself, while AMA and APA substitute a
# macro (``<text macro="title"/>``), so the title came out twice. These two wrappers note the
# variables a substitute actually printed and suppress those. Renders hold ``_render_lock``,
# so one list of notes serves the process.
_substituted: list[list[tuple[str, str]]] = []


def _noting_variables(variable):
    @functools.wraps(variable)
    def wrapper(self, item, context):
        text = variable(self, item, context)
        if text and _substituted:
            _substituted[-1].append((self.tag, self.get("variable")))
        return text

    return wrapper


def _suppressing_substituted(render):
    @functools.wraps(render)
    def wrapper(self, item, context=None, **kwargs):
        _substituted.append([])
        try:
            text = render(self, item, context=context, **kwargs)
        finally:
            printed = _substituted.pop()
        if text and context is not None:
            repressed = context.get_layout().repressed
            for tag, variable in printed:
                repressed.setdefault(tag, []).append(variable)
        return text

    return wrapper


Text._variable = _noting_variables(Text._variable)
Substitute.render = _suppressing_substituted(Substitute.render)


def _drop_reference_numbers(style: CitationStylesStyle) -> None:
    """Numbered styles (AMA, NLM) start each reference with its number in a reference list; a
    citation copied on its own has none, as in PubMed's Cite dialog."""
    for text in style.root.xpath(
        ".//cs:bibliography//cs:text[@variable='citation-number']", namespaces=CSL_NS
    ):
        text.getparent().remove(text)


def _delimit_localized_dates(style: CitationStylesStyle) -> None:
    """citeproc-py 0.11 joins the parts of a localized date (``<date form="text">``) with the
    delimiter of the ``<date>`` that calls it instead of the locale's, so NLM's "2011 Dec"
    came out "2011Dec". Give each calling date the localized format's delimiter."""
    for date in style.root.xpath(".//cs:date[@form]", namespaces=CSL_NS):
        if date.is_locale_date() or date.get("delimiter") is not None:
            continue
        localized = date.get_date(date.get("form"))
        if localized is not None and localized.get("delimiter") is not None:
            date.set("delimiter", localized.get("delimiter"))
