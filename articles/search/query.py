"""PubMed's query language (the subset people type), parsed into a small tree. No Django.

    IVIG[tiab] AND dermatomyositis[mh] NOT review[pt]
    "interstitial lung disease" OR Suzuki Y[au]
    (myositis OR myopathy) AND 2005:2010[dp]

- Terms next to each other are ANDed; ``AND``, ``OR``, ``NOT`` (upper case, as PubMed wants
  them) are applied left to right, without precedence, as PubMed does: ``a OR b AND c`` is
  ``(a OR b) AND c``. Parentheses group.
- ``"..."`` is a phrase; a trailing ``*`` truncates (``immun*``).
- A field tag applies to everything since the last operator or parenthesis, so
  ``Suzuki Y[au]`` is one author and ``interstitial lung disease[mh]`` one heading.
- A query that is only a number (or only numbers) is read as PMIDs, as PubMed does.
- Given a mapper (``articles.search.mapping``: the Django side), untagged words that name a
  disease or therapy also search that concept, as PubMed's automatic term mapping does.

``parse`` never raises: unbalanced quotes, parentheses or brackets, stray operators, words made
of punctuation and overlong queries are read as well as they can be, and each repair adds a
short note for the page to show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

from articles.search.text import tokens

# Canonical tag for each spelling PubMed accepts (lower case, inner spaces collapsed).
FIELD_TAGS: dict[str, str] = {}
for _canonical, _spellings in {
    "all": ["all", "all fields", "tw", "text word", "text words"],
    "ti": ["ti", "title"],
    "ab": ["ab", "abstract"],
    "tiab": ["tiab", "title/abstract"],
    "au": ["au", "auth", "author", "full author name", "fau"],
    "1au": ["1au", "author - first", "first author", "first author name"],
    "ad": ["ad", "affiliation", "affl", "affil"],
    "mh": ["mh", "mesh", "mesh terms", "mesh term", "mh:exp", "mesh terms:exp"],
    "majr": ["majr", "mesh major topic", "mj"],
    "mh:noexp": ["mh:noexp", "mesh:noexp", "mesh terms:noexp", "mesh term:noexp"],
    "majr:noexp": ["majr:noexp", "mesh major topic:noexp", "mj:noexp"],
    "pt": ["pt", "ptyp", "publication type"],
    "ta": ["ta", "journal", "jour", "journal title"],
    "la": ["la", "lang", "language"],
    "dp": ["dp", "pdat", "publication date", "date - publication"],
    "pmid": ["pmid", "uid", "pubmed id"],
    "doi": ["doi", "lid", "aid"],
    "concept": ["concept", "concepts"],
}.items():
    for _spelling in _spellings:
        FIELD_TAGS[_spelling] = _canonical

# Fields searched in the full-text index; the others are look-ups on stored columns. A
# [concept] term is a MeSH descriptor UI, which the index holds for every article with that
# concept or a narrower one (MeSH heading, text mention or curator's).
TEXT_FIELDS = frozenset({"all", "ti", "ab", "tiab", "au", "ad", "concept"})
# How the search details name each field, in PubMed's words where it has them.
FIELD_NAMES = {
    "all": "All Fields",
    "ti": "Title",
    "ab": "Abstract",
    "tiab": "Title/Abstract",
    "au": "Author",
    "1au": "Author - First",
    "ad": "Affiliation",
    "mh": "MeSH Terms",
    "majr": "MeSH Major Topic",
    "mh:noexp": "MeSH Terms:noexp",
    "majr:noexp": "MeSH Major Topic:noexp",
    "pt": "Publication Type",
    "ta": "Journal",
    "la": "Language",
    "dp": "Publication Date",
    "pmid": "PMID",
    "doi": "DOI",
    "concept": "Concept",
}
LONGEST_MAPPED = 6  # words in the longest phrase term mapping looks up

OPERATORS = frozenset({"AND", "OR", "NOT"})
# PubMed's stopwords, not searched among other untagged words (in quotes, with a tag, alone or
# in a run of nothing else they are: _atoms). Left out: its single letters "a" and "i", which
# PubMed's term mapping reads as "vitamin A" or "type I" and we would otherwise lose.
_STOPWORDS = """about again all almost also although always among an and another any are as at be
    because been before being between both but by can could did do does done due during each
    either enough especially etc for found from further had has have having here how however if
    in into is it its itself just kg km made mainly make may mg might ml mm most mostly must
    nearly neither no nor obtained of often on our overall perhaps pmid quite rather really
    regarding seem seen several should show showed shown shows significantly since so some such
    than that the their theirs them then there therefore these they this those through thus to
    upon use used using various very was we were what when which while with within without
    would"""
STOPWORDS = frozenset(_STOPWORDS.split())
MAX_TERMS = 50  # a 5,000-character paste is cut here rather than sent to the database
MAX_DEPTH = 20  # deeper parentheses are ignored (and cannot exhaust Python's stack)
MAX_PMIDS = 200


@dataclass(frozen=True)
class Term:
    """One searchable item: ``text`` as written (without quotes, ``*`` or tag)."""

    text: str
    field: str = "all"
    phrase: bool = False  # written in double quotes
    prefix: bool = False  # written with a trailing *

    def __str__(self) -> str:
        text = f'"{self.text}"' if self.phrase or (" " in self.text and self.is_text) else self.text
        if self.prefix:
            text += "*"
        return text if self.field == "all" else f"{text}[{self.field}]"

    @property
    def is_text(self) -> bool:
        return self.field in TEXT_FIELDS


@dataclass(frozen=True)
class Bool:
    """``items[0] op items[1] op ...``; for NOT, the first item minus each of the others."""

    op: str
    items: tuple[Node, ...]

    def __str__(self) -> str:
        return "(" + f" {self.op} ".join(str(item) for item in self.items) + ")"


Node = Term | Bool


@dataclass(frozen=True)
class Mapped:
    """What a phrase of the query names in MeSH (automatic term mapping)."""

    ui: str
    name: str
    searched: bool  # a disease or therapy concept, searched as one; other descriptors are not


# Given candidate phrases (casefolded, single-spaced), the ones that name a descriptor.
Mapper = Callable[[Iterable[str]], dict[str, Mapped]]


@dataclass
class ParsedQuery:
    text: str
    node: Node | None
    notes: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # concept UI -> descriptor name
    mapped_uis: tuple[str, ...] = ()  # the concepts term mapping added, in query order

    def __str__(self) -> str:
        return str(self.node) if self.node is not None else ""

    @property
    def details(self) -> str:
        """The query as it is run, every term with its field, concepts by name: PubMed's
        "search details". Pasted back as a query it runs the same search."""
        return _details(self.node, self.names) if self.node is not None else ""

    @property
    def mapped(self) -> dict[str, str]:
        """The concepts term mapping added: UI -> name."""
        return {ui: self.names[ui] for ui in self.mapped_uis}

    @property
    def note(self) -> str:
        """How the query was read, when that needed any repair; "" otherwise."""
        return " ".join(self.notes)

    def terms(self) -> list[Term]:
        """Every term, in order (for highlighting and look-ups)."""
        found: list[Term] = []

        def walk(node: Node | None) -> None:
            if isinstance(node, Term):
                found.append(node)
            elif isinstance(node, Bool):
                for item in node.items:
                    walk(item)

        walk(self.node)
        return found


def parse(text: str, mapper: Mapper | None = None) -> ParsedQuery:
    """Parse a PubMed-style query. Never raises.

    With a ``mapper``, untagged words outside quotes that name a disease or therapy concept
    ("heart attack", "IVIG") also search that concept, as PubMed's automatic term mapping
    does: ``heart attack`` is run as ``(heart AND attack) OR "Myocardial Infarction" OR
    D009203[concept]``. The longest phrase that names a descriptor wins, left to right."""
    # Control characters (a NUL would make PostgreSQL refuse the look-ups) read as spaces.
    text = _CONTROL.sub(" ", text or "")
    notes: list[str] = []
    names: dict[str, str] = {}
    atoms = _atoms(_lex(text, notes), notes, mapper, names)
    terms = [t for a in atoms if not isinstance(a, str) for t in _walk(a)]
    if len(terms) > MAX_TERMS:
        last = terms[MAX_TERMS - 1]
        cut = next(
            i
            for i, a in enumerate(atoms)
            if not isinstance(a, str) and any(t is last for t in _walk(a))
        )
        atoms = atoms[: cut + 1]
        notes.append(f"The query is long: only its first {MAX_TERMS} terms were searched.")
    node = _Parser(atoms, notes).parse()
    node = _pmids(node, notes)
    if node is None and text.strip() and not notes:
        notes.append("Nothing to search for: the query has no words or numbers.")
    return ParsedQuery(text=text, node=node, notes=notes, names=names, mapped_uis=tuple(names))


def _walk(node: Node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    return [t for item in node.items for t in _walk(item)]


def _details(node: Node, names: dict[str, str]) -> str:
    if isinstance(node, Bool):
        return "(" + f" {node.op} ".join(_details(item, names) for item in node.items) + ")"
    text = names.get(node.text, node.text) if node.field == "concept" else node.text
    quoted = node.phrase or " " in text or node.field == "concept"
    written = (f'"{text}"' if quoted else text) + ("*" if node.prefix else "")
    return f"{written}[{FIELD_NAMES.get(node.field, node.field)}]"


# Lexing: text -> ("word" | "phrase" | "tag" | "op" | "(" | ")", value) ------------------------

_SPECIAL = '"()[]'
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _lex(text: str, notes: list[str]) -> list[tuple[str, str]]:
    lexemes: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == '"':
            end = text.find('"', i + 1)
            if end < 0:
                notes.append("Closed an unbalanced quote at the end of the query.")
                end = n
            lexemes.append(("phrase", text[i + 1 : end]))
            i = end + 1
        elif c in "()":
            lexemes.append((c, c))
            i += 1
        elif c == "[":
            end = text.find("]", i + 1)
            if end < 0:
                notes.append("Closed an unbalanced [ at the end of the query.")
                end = n
            lexemes.append(("tag", text[i + 1 : end]))
            i = end + 1
        elif c == "]":
            notes.append("Ignored a ] without its [.")
            i += 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in _SPECIAL:
                i += 1
            word = text[start:i]
            lexemes.append(("op" if word in OPERATORS else "word", word))
    return lexemes


# Grouping: words + tags -> terms ---------------------------------------------------------------

Atom = Node | str  # a term, a mapped phrase's group (a Bool), an operator, "(" or ")"
_GENUS = re.compile(r"^[A-Za-z]\.$")


def _atoms(
    lexemes: list[tuple[str, str]],
    notes: list[str],
    mapper: Mapper | None = None,
    names: dict[str, str] | None = None,
) -> list[Atom]:
    atoms: list[Atom] = []
    words: list[str] = []
    stopped: list[str] = []

    def flush() -> None:
        # In a run of untagged words, stopwords are not searched; a stopword standing alone
        # ("the", "x OR the") or a run of nothing else ("of the") is.
        stop = len(words) > 1 and not all(w.casefold() in STOPWORDS for w in words)
        spans = _mapped_spans(words, mapper) if mapper is not None else {}
        i = 0
        while i < len(words):
            word = words[i]
            if i in spans:
                end, mapped = spans[i]
                group = _mapped_group(words[i:end], mapped, stop, notes)
                if group is not None:
                    atoms.append(group)
                    if names is not None:
                        names[mapped.ui] = mapped.name
                i = end
                continue
            if stop and word.casefold() in STOPWORDS:
                stopped.append(word)
                i += 1
                continue
            if _GENUS.match(word) and i + 1 < len(words) and words[i + 1].isalpha():
                # "E. coli", "S. aureus": a genus initial belongs to the next word.
                term = _term(f"{word} {words[i + 1]}", "all", phrase=True, notes=notes)
                notes.append(f"Read {word} {words[i + 1]} as the phrase {term}.")
                i += 1
            else:
                term = _term(word, "all", phrase=False, notes=notes)
            if term is not None:
                atoms.append(term)
            i += 1
        words.clear()

    for kind, value in lexemes:
        if kind == "word":
            words.append(value)
            continue
        if kind == "tag":
            tag = " ".join(value.lower().split())
            field_name = FIELD_TAGS.get(tag)
            if field_name is None:
                notes.append(f"Unknown field [{value.strip()}]: searched in all fields.")
                field_name = "all"
            if words:
                term = _term(" ".join(words), field_name, phrase=False, notes=notes)
                words.clear()
                if term is not None:
                    atoms.append(term)
            elif atoms and isinstance(last := atoms[-1], Term) and last.field == "all":
                atoms.pop()
                atoms.append(Term(last.text, field_name, phrase=last.phrase, prefix=last.prefix))
            else:
                notes.append(f"Ignored the field tag [{value.strip()}]: it follows no term.")
            continue
        flush()
        if kind == "phrase":
            term = _term(value, "all", phrase=True, notes=notes)
            if term is not None:
                atoms.append(term)
        else:
            atoms.append(value)  # operator or parenthesis
    flush()
    if stopped:
        listed = ", ".join(dict.fromkeys(w.casefold() for w in stopped))
        notes.append(f"Did not search common words, as PubMed does not: {listed}.")
    return atoms


def _phrase_key(words: list[str]) -> str:
    """A run of written words as a mapper looks it up: casefolded, punctuation around each
    word dropped ("attack," -> "attack"), single spaces."""
    return " ".join(w.strip(_EDGE_PUNCTUATION).casefold() for w in words)


_EDGE_PUNCTUATION = ".,;:!?()'\"[]{}"


def _mapped_spans(words: list[str], mapper: Mapper) -> dict[int, tuple[int, Mapped]]:
    """start -> (end, concept) for the phrases of ``words`` that name a disease or therapy:
    the longest first, left to right; a phrase naming another kind of descriptor ("hearing
    aids") is kept whole so that a shorter one inside it ("aids") is not mapped."""
    candidates: dict[tuple[int, int], list[str]] = {}
    for start in range(len(words)):
        for end in range(start + 1, min(len(words), start + LONGEST_MAPPED) + 1):
            span = words[start:end]
            if span[0].casefold() in STOPWORDS or span[-1].casefold() in STOPWORDS:
                continue
            key = _phrase_key(span)
            if len(key) < 3 or key.replace(" ", "").isdigit():
                continue
            keys = [key]
            if key.endswith("s") and not key.endswith(("ss", "is", "us")) and len(key) > 4:
                keys.append(key[:-1])  # "heart attacks": the singular, as PubMed maps it
            candidates[start, end] = keys
    if not candidates:
        return {}
    found = mapper({key for keys in candidates.values() for key in keys})
    spans: dict[int, tuple[int, Mapped]] = {}
    start = 0
    while start < len(words):
        for end in range(min(len(words), start + LONGEST_MAPPED), start, -1):
            mapped = next((found[k] for k in candidates.get((start, end), ()) if k in found), None)
            if mapped is not None:
                if mapped.searched:
                    spans[start] = (end, mapped)
                start = end
                break
        else:
            start += 1
    return spans


def _mapped_group(words: list[str], mapped: Mapped, stop: bool, notes: list[str]) -> Node | None:
    """``words`` (which name ``mapped``) OR the descriptor's name OR the concept itself."""
    written = [
        term
        for word in words
        if not (stop and len(words) > 1 and word.casefold() in STOPWORDS)
        if (term := _term(word, "all", phrase=False, notes=notes)) is not None
    ]
    if not written:
        return None
    items: list[Node] = [written[0] if len(written) == 1 else Bool("AND", tuple(written))]
    if " ".join(tokens(mapped.name)) != " ".join(t for w in written for t in tokens(w.text)):
        items.append(Term(mapped.name, "all", phrase=True))
    items.append(Term(mapped.ui, "concept"))
    return Bool("OR", tuple(items))


def _term(text: str, field_name: str, *, phrase: bool, notes: list[str]) -> Term | None:
    raw = text
    text = " ".join(text.split())
    prefix = text.endswith("*")
    text = text.rstrip("*").strip()
    if field_name in TEXT_FIELDS:
        if not phrase and " " not in text:
            # Punctuation around a word is not part of it: "coli," "(e.g." "e."
            text = text.strip("".join(c for c in set(text) if not c.isalnum()) or " ")
        if "*" in text:
            text = text.replace("*", " ").strip()
            notes.append(f"Ignored * inside {raw!r}: truncation works at the end of a word.")
        if not tokens(text):
            if raw.strip():
                notes.append(f"Ignored {raw.strip()!r}: no letters or digits to search for.")
            return None
    elif not text:
        notes.append(f"Ignored an empty [{field_name}] term.")
        return None
    return Term(text, field_name, phrase=phrase, prefix=prefix)


# Parsing: atoms -> tree, left to right ---------------------------------------------------------


class _Parser:
    def __init__(self, atoms: list[Atom], notes: list[str]) -> None:
        self.atoms = atoms
        self.notes = notes
        self.pos = 0
        self.skipped_parens = 0
        self.noted: set[str] = set()

    def note(self, text: str) -> None:
        if text not in self.noted:
            self.noted.add(text)
            self.notes.append(text)

    def parse(self) -> Node | None:
        return self.expression(depth=0)

    def expression(self, depth: int) -> Node | None:
        node: Node | None = None
        operator: str | None = None
        while self.pos < len(self.atoms):
            atom = self.atoms[self.pos]
            self.pos += 1
            if atom == ")":
                if self.skipped_parens:
                    self.skipped_parens -= 1
                    continue
                if depth > 0:
                    return self._end(node, operator)
                self.note("Ignored a ) without its (.")
                continue
            if isinstance(atom, str) and atom in OPERATORS:
                if node is None:
                    self.note(f"Ignored {atom} at the start: it needs a term before it.")
                elif operator is not None:
                    self.note(f"Ignored {operator} followed by {atom}: used {atom}.")
                    operator = atom
                else:
                    operator = atom
                continue
            if atom == "(":
                if depth >= MAX_DEPTH:
                    self.skipped_parens += 1
                    self.note(f"Ignored parentheses nested deeper than {MAX_DEPTH}.")
                    continue
                operand = self.expression(depth + 1)
            else:
                # The only strings are operators and parentheses, each handled above.
                operand = cast(Node, atom)
            if operand is None:
                continue
            node = operand if node is None else _combine(node, operator or "AND", operand)
            operator = None
        if depth > 0:
            self.note("Closed an unbalanced ( at the end of the query.")
        return self._end(node, operator)

    def _end(self, node: Node | None, operator: str | None) -> Node | None:
        if operator is not None and node is not None:
            self.note(f"Ignored {operator} at the end: it needs a term after it.")
        return node


def _combine(left: Node, op: str, right: Node) -> Node:
    if isinstance(left, Bool) and left.op == op:
        if op != "NOT" and isinstance(right, Bool) and right.op == op:
            return Bool(op, left.items + right.items)
        return Bool(op, (*left.items, right))
    if op != "NOT" and isinstance(right, Bool) and right.op == op:
        return Bool(op, (left, *right.items))
    return Bool(op, (left, right))


def _pmids(node: Node | None, notes: list[str]) -> Node | None:
    """A query of bare numbers is a list of PMIDs: ``19387736`` or ``19387736 21813367``."""
    items = node.items if isinstance(node, Bool) and node.op in ("AND", "OR") else (node,)
    if not items or not all(_is_bare_number(item) for item in items):
        return node
    pmids = [Term(item.text, "pmid") for item in items[:MAX_PMIDS] if isinstance(item, Term)]
    notes.append(
        ("Read as a PMID." if len(pmids) == 1 else "Read as a list of PMIDs.")
        + (f" Only the first {MAX_PMIDS} were searched." if len(items) > MAX_PMIDS else "")
    )
    return pmids[0] if len(pmids) == 1 else Bool("OR", tuple(pmids))


def _is_bare_number(node: Node | None) -> bool:
    return (
        isinstance(node, Term)
        and node.field == "all"
        and not node.phrase
        and not node.prefix
        and node.text.isascii()
        and node.text.isdigit()
        and len(node.text) <= 9
    )
