"""Snippets for a result page: a stretch of each abstract with the query's words marked.

Built in Python from the stored abstract, with the index's own tokenizer, so highlights agree
with what matched on both backends; everything is HTML-escaped except the ``<mark>`` tags.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles import models as m
from articles.search.backends import positive_terms, term_tokens
from articles.search.query import ParsedQuery, parse
from articles.search.text import token_spans, tokens
from articles.text.mesh import narrower_uis

WINDOW = 40  # words in a snippet
HIGHLIGHTED_FIELDS = frozenset({"all", "ab", "tiab"})


def snippets(pmids: Sequence[int], query: str | ParsedQuery) -> dict[int, SafeString]:
    """{pmid: HTML snippet} for the articles of a result page that have an abstract, in one
    query. The snippet is the window of the abstract with the most query words, else its
    opening. ``query`` may be the search as it ran (``filtering.read``): then the mentions
    of its concepts (``[concept]`` terms, and narrower concepts) are marked too, two queries
    more."""
    parsed = parse(query) if isinstance(query, str) else query
    terms = positive_terms(parsed.node) if parsed.node is not None else []
    wanted = [term_tokens(t) for t in terms if t.field in HIGHLIGHTED_FIELDS]
    wanted = [(words, prefix) for words, prefix in wanted if words]
    mentions = _mentions(pmids, [t.text for t in terms if t.field == "concept"])
    texts: dict[int, list[str]] = {}
    sections = m.AbstractSection.objects.filter(article_id__in=list(pmids)).order_by(
        "article_id", "position"
    )
    for pmid, text in sections.values_list("article_id", "text"):
        if text:
            texts.setdefault(pmid, []).append(text)
    return {
        pmid: snippet(" ".join(parts), wanted + mentions.get(pmid, []))
        for pmid, parts in texts.items()
    }


def _mentions(pmids: Sequence[int], uis: list[str]) -> dict[int, list[tuple[list[str], bool]]]:
    """{pmid: phrases} where the abstract names one of these concepts or a narrower one (the
    evidence the recogniser kept)."""
    if not uis:
        return {}
    wanted = set(uis) | narrower_uis(uis)
    found: dict[int, list[tuple[list[str], bool]]] = {}
    rows = (
        m.ArticleConcept.objects.effective()
        .filter(article_id__in=list(pmids), descriptor_id__in=sorted(wanted))
        .values_list("article_id", "evidence")
    )
    for pmid, evidence in rows:
        for place in evidence or []:
            if place.get("source") == "abstract" and (words := tokens(place.get("text", ""))):
                found.setdefault(pmid, []).append((words, False))
    return found


def snippet(text: str, wanted: list[tuple[list[str], bool]]) -> SafeString:
    spans = token_spans(text)
    if not spans:
        return mark_safe(escape(text[:300]))
    marked = [False] * len(spans)
    words = [token for _start, _end, token in spans]
    for phrase, prefix in wanted:
        size = len(phrase)
        if size == 1 and not prefix:  # a plain word, the usual query: one comparison a word
            marked = [seen or word == phrase[0] for seen, word in zip(marked, words, strict=True)]
            continue
        for i in range(len(words) - size + 1):
            if all(
                words[i + k] == phrase[k]
                or (prefix and k == size - 1 and words[i + k].startswith(phrase[k]))
                for k in range(size)
            ):
                for k in range(size):
                    marked[i + k] = True
    start = _best_window(marked)
    end = min(len(spans), start + WINDOW)
    html = []
    position = spans[start][0]
    for i in range(start, end):
        span_start, span_end, _token = spans[i]
        html.append(escape(text[position:span_start]))
        word = escape(text[span_start:span_end])
        html.append(f"<mark>{word}</mark>" if marked[i] else word)
        position = span_end
    stop = len(text) if end == len(spans) else spans[end - 1][1]
    html.append(escape(text[position:stop]))
    lead = "… " if start > 0 else ""
    tail = " …" if end < len(spans) else ""
    return mark_safe(lead + "".join(html).strip() + tail)


def _best_window(marked: list[bool]) -> int:
    """Start of the WINDOW-word stretch with the most marked words, opening a little before
    the first of them; 0 when nothing is marked."""
    if not any(marked):
        return 0
    best, best_start = -1, 0
    count = sum(marked[:WINDOW])
    for start in range(0, max(1, len(marked) - WINDOW + 1)):
        if start:
            count += marked[start + WINDOW - 1] - marked[start - 1]
        if count > best:
            best, best_start = count, start
    first = marked.index(True, best_start)
    return max(0, min(best_start, first - 5))
