"""Words as the search index sees them: one tokenizer for documents and queries, both backends.

PostgreSQL's text parser and SQLite's unicode61 tokenizer disagree on hyphens, dots, accents
and numbers ("e.coli" is one "host" token to PostgreSQL, two words to FTS5), so neither is
trusted: every text is reduced here to lowercase, accent-free runs of letters and digits, and
both backends index and query exactly those tokens.
"""

from __future__ import annotations

import re
import unicodedata

# Letters and digits (``\\w`` without the underscore).
_WORD = re.compile(r"[^\W_]+")
# The same, as written: a decomposed accent (combining mark) stays inside its word.
_WRITTEN_WORD = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f])*")
# Combining marks, which NFKD splits off accented letters.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# PostgreSQL refuses lexemes over 2 kB; no real word comes near this.
MAX_TOKEN_LENGTH = 100


def normalize(text: str) -> str:
    """Casefold and drop accents: "Sjögren" -> "sjogren"."""
    if text.isascii():
        return text.lower()  # the common case, and ten times faster
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def tokens(text: str) -> list[str]:
    """The searchable words of ``text``: "IL-6 in E. coli" -> ["il", "6", "in", "e", "coli"]."""
    found = _WORD.findall(normalize(text))
    if found and max(map(len, found)) > MAX_TOKEN_LENGTH:
        return [t[:MAX_TOKEN_LENGTH] for t in found]
    return found


def token_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) for each word of ``text`` as written, for highlighting."""
    if text.isascii():  # each run is one token, lowercased: a third of the time
        return [
            (match.start(), match.end(), match.group(0).lower()[:MAX_TOKEN_LENGTH])
            for match in _WORD.finditer(text)
        ]
    spans = []
    for match in _WRITTEN_WORD.finditer(text):
        for token in tokens(match.group(0)):
            spans.append((match.start(), match.end(), token))
    return spans
