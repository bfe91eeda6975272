"""The two full-text backends: SQLite FTS5 and PostgreSQL tsvector, behind one interface.

Both index the same tokens (``articles.search.text``) in the same five fields:

| field        | holds                                    | FTS5 column  | tsvector    |
|--------------|------------------------------------------|--------------|-------------|
| title        | title and vernacular title               | title        | document, A |
| abstract     | abstract sections                        | abstract     | document, B |
| terms        | keywords, MeSH heading names, substances,| terms        | document, C |
|              | concept tokens (``concept_token``)       |              |             |
| authors      | "Suzuki Y" for each author, group names  | authors      | document, D |
| affiliations | authors' affiliations                    | affiliations | affiliations|

SQLite: ``articles_search`` is an FTS5 table that stores its own (tokenized) text, rowid =
PMID. Not external-content: the article has no single text column to point at, and a table
holding its text can delete a row by rowid alone, which FTS5 3.40 cannot do contentless.
PostgreSQL: ``articles_search(rowid, document, affiliations, pub_date)``, GIN on both
tsvectors; ``pub_date`` is the article's, so that a search with no other condition is ranked
and sorted from its index rows alone (the index holds only visible articles). The
tsvectors are written from Python (``tsvector`` literals), not by ``to_tsvector``, so that
PostgreSQL's parser never splits words differently from FTS5. A gap of one position between
fields keeps a phrase from matching across two of them, as FTS5 columns do.

Untagged words search every field but affiliations ([ad] only), on both backends.

Relevance order (``order``, ascending = best first) is ``bm25()`` on SQLite and ``-ts_rank``
on PostgreSQL: both score hit by hit, which is why ``first.best_first_pks`` bounds how
many hits they rank. (A RUM index, tried at 1,000,000 abstracts, gave the best 20 of a word in
a tenth of them in 140 ms from the index, but only for ``ORDER BY`` distance alone: with the
list's date tie-break PostgreSQL sorted from the heap, 2.4 s.)
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from articles import bulk
from articles.models import Article, CompiledText
from articles.search.query import Node, Term
from articles.search.text import tokens

TABLE = "articles_search"
# PostgreSQL: every word the index has held, for capping truncation (migration 0016). Not
# named articles_search_*: that prefix is the index's table, its rebuild and their indexes.
TERMS_TABLE = "articles_words"
# PostgreSQL: a second GIN index over the newest rows alone (``PostgresBackend.place_recent``).
RECENT_INDEX = f"{TABLE}_recent_gin"
FIELDS = ("title", "abstract", "terms", "authors", "affiliations")
FIELD_COLUMNS = {
    "all": ("title", "abstract", "terms", "authors"),
    "ti": ("title",),
    "ab": ("abstract",),
    "tiab": ("title", "abstract"),
    "au": ("authors",),
    "ad": ("affiliations",),
    "concept": ("terms",),
}
# A concept's token in the terms field: "mesh" and its descriptor UI ("meshd009203"). Each
# article holds the token of each concept it has (MeSH heading, text mention, curator's) and
# of every broader descriptor above it in the MeSH tree, so one token finds the narrower ones.
CONCEPT_TOKEN = "mesh"
PG_WEIGHTS = {"title": "A", "abstract": "B", "terms": "C", "authors": "D"}
# Tags searching one small field (one tsvector weight): far fewer hits than the word has.
NARROW_FIELDS = ("ti", "au")
# bm25 weight per FTS5 column, in FIELDS order: a title match counts most.
BM25_WEIGHTS = (8.0, 2.0, 1.0, 1.0, 0.5)

# A document is {field: list of texts}; ``documents.load`` builds them.
Document = dict[str, list[str]]

# PubMed searches the first 600 variants of a truncated word (in alphabetical order) and
# says so. ``a* OR b* OR ... OR z*`` read every word of the index: 10 s for the list page at
# 50,783 articles on SQLite.
MAX_VARIANTS = 600
# One piece of a capped truncation: a word searched as is, or a stem searched truncated.
Piece = tuple[str, bool]


def term_tokens(term: Term) -> tuple[list[str], bool]:
    """The tokens a term searches, and whether the last is a prefix. An author written as
    "Suzuki Y" also finds "Suzuki YK", as PubMed's author search does."""
    if term.field == "concept":
        return [concept_token(term.text)], False
    words = tokens(term.text)
    prefix = term.prefix
    if term.field == "au" and len(words) >= 2 and words[-1].isalpha() and len(words[-1]) <= 2:
        prefix = True
    return words, prefix


def concept_token(ui: str) -> str:
    """The index token of a descriptor: "D009203" -> "meshd009203"."""
    return CONCEPT_TOKEN + "".join(tokens(ui))


def backend_for(vendor: str) -> SearchBackend:
    return PostgresBackend() if vendor == "postgresql" else SqliteBackend()


def covering(stem: str, variants: list[str]) -> list[Piece]:
    """Few pieces (words and truncated stems) matching exactly ``variants``, the first
    words of the index starting with ``stem`` in alphabetical order: each stem before the
    last variant's next letter is whole, so ``a*`` capped at ``abdul`` is ``a``, ``a0*`` ...
    ``aa*``, ``ab``, ``aba*``, ``abc*``, ``abd``, ``abda*`` ... ``abdul``. Hundreds of words
    become a few dozen pieces: FTS5 tests an OR child by child for every row, and a
    truncated stem is one merged list of hits (a* to z* capped: 986 pieces counted the
    hits in 0.2 s, 15,600 words in 3.6)."""
    last = variants[-1]
    present = set(variants)
    pieces: list[Piece] = []
    head = stem
    while True:
        if head in present:
            pieces.append((head, False))
        if head == last:
            return pieces
        following = last[len(head)]
        before = {
            word[len(head)]
            for word in variants
            if len(word) > len(head) and word.startswith(head) and word[len(head)] < following
        }
        pieces += [(head + letter, True) for letter in sorted(before)]
        head += following


class SearchBackend:
    vendor = ""

    def __init__(self) -> None:
        # Truncated stems with more than MAX_VARIANTS variants: the pieces that search the
        # first MAX_VARIANTS (``cap_truncation``).
        self.capped: dict[str, list[Piece]] = {}

    def variants(self, cursor, stem: str, limit: int) -> list[str]:
        """The index's first ``limit`` words starting with ``stem``, alphabetically."""
        raise NotImplementedError

    def cap_truncation(self, cursor, terms: Iterable[Term]) -> list[str]:
        """Look up the variants of each truncated word among ``terms``; one with more than
        MAX_VARIANTS is searched by its first MAX_VARIANTS from then on. Returns a note for
        each, for the page."""
        notes = []
        for term in terms:
            words, _prefix = term_tokens(term)
            if not (term.prefix and term.is_text and words) or words[-1] in self.capped:
                continue
            stem = words[-1]
            found = self.variants(cursor, stem, MAX_VARIANTS + 1)
            if len(found) <= MAX_VARIANTS:
                continue
            kept = found[:MAX_VARIANTS]
            self.capped[stem] = covering(stem, kept)
            notes.append(
                f"{stem}* was limited to its first {MAX_VARIANTS} variants ({kept[0]} to "
                f"{kept[-1]}), as PubMed limits it: lengthen the stem to search every word "
                "it begins."
            )
        return notes

    def create(self, cursor) -> None:
        raise NotImplementedError

    def drop(self, cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def delete(self, cursor, pmids: Sequence[int]) -> None:
        for start in range(0, len(pmids), 500):
            chunk = list(pmids[start : start + 500])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({marks})", chunk)

    def rebuild_beside(self, cursor) -> str:
        """Start a rebuild (``index.rebuild``): the table to fill, here the index emptied in
        the rebuild's transaction (SQLite's readers, in WAL mode, see the old rows until it
        commits)."""
        cursor.execute(f"DELETE FROM {TABLE}")
        return TABLE

    def swap_in(self, cursor, table: str) -> None:
        """Finish a rebuild of ``table``, as ``rebuild_beside`` started it."""

    def insert(
        self, cursor, documents: Iterable[tuple[int, Document]], *, table: str = TABLE
    ) -> int:
        raise NotImplementedError

    def compile(self, node: Node) -> CompiledText:
        """A condition for a tree of text terms only."""
        raise NotImplementedError

    def subquery(self, node: Node) -> tuple[str, tuple]:
        """``SELECT rowid ...`` of the articles matching a tree of text terms."""
        compiled = self.compile(node)
        return f"SELECT rowid FROM {TABLE} WHERE {compiled.render(TABLE)}", compiled.params

    def rank(self, node: Node) -> tuple[str, tuple]:
        """SQL for the relevance of the joined row (higher is better)."""
        raise NotImplementedError

    def order(self, node: Node) -> tuple[str, tuple]:
        """SQL to sort the joined rows by, ascending = most relevant first."""
        sql, params = self.rank(node)
        return f"-({sql})", params

    def size_bytes(self, cursor) -> int:
        raise NotImplementedError


class SqliteBackend(SearchBackend):
    vendor = "sqlite"

    def create(self, cursor) -> None:
        # Text arrives already tokenized, casefolded and separated by single spaces, so the
        # plain ascii tokenizer (the fastest) splits it exactly as ``text.tokens`` did.
        cursor.execute(
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5({', '.join(FIELDS)}, tokenize = 'ascii')"
        )

    def insert(
        self, cursor, documents: Iterable[tuple[int, Document]], *, table: str = TABLE
    ) -> int:
        rows = [
            (pmid, *(" ".join([" ".join(tokens(text)) for text in doc[f]]) for f in FIELDS))
            for pmid, doc in documents
        ]
        if rows:
            cursor.executemany(
                f"INSERT INTO {table} (rowid, {', '.join(FIELDS)}) VALUES (%s, %s, %s, %s, %s, %s)",
                rows,
            )
        return len(rows)

    def compile(self, node: Node) -> CompiledText:
        # The hidden column named after the table, qualified by the alias: FTS5 reads a bare
        # alias as a column name, and Django renames the alias when the search is a subquery.
        return CompiledText(f"{{table}}.{TABLE} MATCH %s", (self.match_expression(node),))

    def variants(self, cursor, stem: str, limit: int) -> list[str]:
        # fts5vocab reads the index's own term list, by range (0.7-9 ms for 601 words at
        # 50,783 articles). A temporary table: it exists for this connection only.
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{TABLE}_vocabulary "
            f"USING fts5vocab(main, {TABLE}, row)"
        )
        cursor.execute(
            f"SELECT term FROM temp.{TABLE}_vocabulary WHERE term >= %s AND term < %s "
            "ORDER BY term LIMIT %s",
            [stem, _after(stem), limit],
        )
        return [row[0] for row in cursor.fetchall()]

    def match_expression(self, node: Node) -> str:
        """FTS5 query syntax. Every token is double-quoted, and tokens hold only letters and
        digits, so nothing a user types can reach FTS5 as syntax."""
        if isinstance(node, Term):
            words, prefix = term_tokens(node)
            columns = "{" + " ".join(FIELD_COLUMNS[node.field]) + "} : "
            pieces = self.capped.get(words[-1]) if node.prefix else None
            if pieces:
                head = words[:-1]
                return (
                    columns
                    + "("
                    + " OR ".join(
                        '"' + " ".join([*head, piece]) + '"' + (" *" if truncated else "")
                        for piece, truncated in pieces
                    )
                    + ")"
                )
            phrase = '"' + " ".join(words) + '"' + (" *" if prefix else "")
            return columns + phrase
        parts = [f"({self.match_expression(item)})" for item in node.items]
        return f" {node.op} ".join(parts)

    def rank(self, node: Node) -> tuple[str, tuple]:
        sql, params = self.order(node)
        return f"-{sql}", params

    def swap_in(self, cursor, table: str) -> None:
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")  # merge its b-trees

    def order(self, node: Node) -> tuple[str, tuple]:
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        return f"bm25({TABLE}, {weights})", ()  # FTS5: lower is better

    def size_bytes(self, cursor) -> int:
        cursor.execute(
            "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE %s", [f"{TABLE}%"]
        )  # needs SQLITE_ENABLE_DBSTAT_VTAB, which Python's sqlite3 has
        return int(cursor.fetchone()[0] or 0)


class PostgresBackend(SearchBackend):
    vendor = "postgresql"
    MAX_POSITION = 16383  # PostgreSQL's limit
    MAX_POSITIONS_PER_WORD = 255
    ROW_TARGET = 8160  # the largest toast_tuple_target: a row this long is kept as written

    # The table ``rebuild_beside`` fills to take the index table's place. Methods taking a
    # ``table`` work on either; indexes are named after their table.
    NEW_TABLE = f"{TABLE}_new"

    def create(self, cursor, *, table: str = TABLE, indexes: bool = True) -> None:
        cursor.execute(
            f"CREATE TABLE {table} (rowid integer PRIMARY KEY, "
            "document tsvector NOT NULL, affiliations tsvector NOT NULL, pub_date date)"
        )
        self.set_storage(cursor, table=table)
        if indexes:
            self.create_indexes(cursor, table=table)

    def set_storage(self, cursor, *, table: str = TABLE) -> None:
        """Keep the tsvectors in the row, uncompressed up to a full page.
        An abstract's tsvector is about 2 kB, so by default half of them went to the TOAST
        table: testing or ranking a hit then meant a TOAST index lookup and a pglz
        decompression, 3.3 us a row; in the row with lz4, 1.5 us (100,000 abstracts,
        migration 0007). Compression saves almost nothing on a tsvector (the table was 2,477
        MB with three in five rows lz4-compressed, 2,550 with none), yet unpacking was half
        the time of reading ``blood``'s newest 12,000 hits and of testing a phrase's hits
        (docs/benchmarks.md): so a row is compressed only past ``toast_tuple_target``'s
        page-sized limit, lz4 where the server has it (migration 0009, which rewrote the
        rows compressed before it)."""
        for column in ("document", "affiliations"):
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STORAGE MAIN")
        cursor.execute(f"ALTER TABLE {table} SET (toast_tuple_target = {self.ROW_TARGET})")
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
        if row and "lz4" in (row[0] or []):
            for column in ("document", "affiliations"):
                cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4")

    def create_indexes(self, cursor, *, table: str = TABLE) -> None:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_doc_gin ON {table} USING gin (document)"
        )
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_aff_gin ON {table} USING gin (affiliations)"
        )
        # The window of the most recent hits, newest first (first._newest_dated).
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {table}_date ON {table} (pub_date)")
        self.place_recent(cursor, table=table)

    def drop_indexes(self, cursor) -> None:
        cursor.execute(f"DROP INDEX IF EXISTS {TABLE}_doc_gin")
        cursor.execute(f"DROP INDEX IF EXISTS {TABLE}_aff_gin")
        cursor.execute(f"DROP INDEX IF EXISTS {TABLE}_date")
        cursor.execute(f"DROP INDEX IF EXISTS {RECENT_INDEX}")

    # The recent index. Best match past 10,000 hits ranks the newest (``first.
    # _newest_ranked``): the GIN index's hits in a window of the newest rows, intersected with
    # the primary key's range. For ``blood`` at 1,000,000 abstracts the full index gave all
    # 101,355 of its hits to find the 12,034 in the window (15 ms of a 47 ms query); a GIN
    # index over the newest rows alone gives the planner far fewer (its predicate is implied
    # by the window's ``rowid >= ...``, a literal: Django binds parameters client-side): 40,364
    # hits, and the query took 39 ms. It holds the newest rows the largest window can ask for
    # (``largest_window``), only where that is at most half the index; each new
    # record is indexed twice, as it is newer than the index's start.

    def recent_rows(self, indexed: int) -> int | None:
        """How many of the newest of ``indexed`` rows the recent index should hold, or None
        when it should not exist (it would hold over half of them)."""
        rows = math.ceil(largest_window(indexed, RANK_LIMIT))
        return rows if 0 < 2 * rows <= indexed else None

    def recent_start(self, cursor, *, table: str = TABLE) -> int | None:
        """The PMID the recent index starts at, or None when there is none."""
        cursor.execute(
            "SELECT pg_get_expr(indpred, indrelid) FROM pg_index WHERE indexrelid = "
            "to_regclass(%s)",
            [f"{table}_recent_gin"],
        )
        row = cursor.fetchone()
        found = re.search(r"\d+", row[0] or "") if row else None
        return int(found.group()) if found else None

    def place_recent(
        self, cursor, *, only_if_stale: bool = False, table: str = TABLE
    ) -> str | None:
        """Build the recent index where the rows say it should start, replacing the one there
        was (built first, then swapped: searches go on meanwhile; writes wait), or drop it
        when the index is too small to want one. ``only_if_stale``: only when there is none
        yet or it has come to hold over twice the rows it should (new records all go into
        it). Returns what was done, or None."""
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        indexed = cursor.fetchone()[0]
        wanted = self.recent_rows(indexed)
        start = self.recent_start(cursor, table=table)
        if only_if_stale and start is not None and wanted is not None:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE rowid >= %s", [start])
            if cursor.fetchone()[0] <= 2 * wanted:
                return None
        boundary = None
        if wanted is not None:
            cursor.execute(
                f"SELECT rowid FROM {table} ORDER BY rowid DESC OFFSET %s LIMIT 1", [wanted - 1]
            )
            boundary = cursor.fetchone()[0]
        if boundary == start:
            return None
        recent = f"{table}_recent_gin"
        if boundary is None:
            cursor.execute(f"DROP INDEX {recent}")
            return f"search index: dropped the recent index ({indexed:,} rows)"
        cursor.execute(
            f"CREATE INDEX {recent}_new ON {table} USING gin (document) "
            f"WHERE rowid >= {int(boundary)}"
        )
        cursor.execute(f"DROP INDEX IF EXISTS {recent}")
        cursor.execute(f"ALTER INDEX {recent}_new RENAME TO {recent}")
        return (
            f"search index: the recent index holds the newest {wanted:,} of {indexed:,} rows, "
            f"from PMID {boundary}"
        )

    def rebuild_beside(self, cursor) -> str:
        """Start a rebuild (``index.rebuild``): a new, empty index table beside the live
        one, to be filled, then put in its place by ``swap_in`` in the same transaction.
        Searches go on reading the live table meanwhile; writes to it wait (SHARE lock),
        then go to the new one, so nothing written during the rebuild is lost. (Emptying the
        live table instead locked searches out for the whole rebuild, and deleting its rows
        doubled it: the rows written again went after the dead ones, 6,419 MiB at 1,000,000
        abstracts instead of 3,257.)"""
        cursor.execute(f"LOCK TABLE {TABLE} IN SHARE MODE")
        self.create(cursor, table=self.NEW_TABLE, indexes=False)
        # The words, written again as the rows are: those of no article any more go. The
        # table is made here if need be: migration 0015 rebuilds the index before 0016 adds it.
        cursor.execute(
            f'CREATE TABLE IF NOT EXISTS {TERMS_TABLE} (term text COLLATE "C" PRIMARY KEY)'
        )
        cursor.execute(f"DELETE FROM {TERMS_TABLE}")
        return self.NEW_TABLE

    def swap_in(self, cursor, table: str) -> None:
        """Finish a rebuild: index ``table``, give the planner its statistics, and put it in
        the live table's place under the live table's index names. Searches wait only for
        the swap."""
        self.create_indexes(cursor, table=table)
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"DROP TABLE {TABLE}")
        cursor.execute(f"ALTER TABLE {table} RENAME TO {TABLE}")
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = %s",
            [TABLE],
        )
        for (name,) in cursor.fetchall():
            if name.startswith(f"{table}_"):
                cursor.execute(f"ALTER INDEX {name} RENAME TO {TABLE}{name[len(table) :]}")

    def flush_pending(self, cursor) -> int:
        """Move the entries written since into the GIN indexes proper; return how many pages
        of them there were. A written row's entries wait in each index's pending list
        (``fastupdate``), which every search reads whole until 4 MB of entries or autovacuum
        flushes it, and autovacuum comes only once a tenth of the table has changed: after a
        day's update, searches went on reading it. 3,000 new rows at 1,000,000 abstracts: a
        rare word 0.9 -> 1.4 ms, ``"blood pressure"`` 43.7 -> 46.0; flushing took 0.4 s."""
        cursor.execute(
            "SELECT COALESCE(SUM(gin_clean_pending_list(i.indexrelid::regclass)), 0) "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am a ON a.oid = c.relam WHERE i.indrelid = %s::regclass AND a.amname = 'gin'",
            [TABLE],
        )
        return int(cursor.fetchone()[0])

    def delete(self, cursor, pmids: Sequence[int]) -> None:
        if pmids:
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid = ANY(%s)", [list(pmids)])

    def insert(
        self, cursor, documents: Iterable[tuple[int, Document]], *, table: str = TABLE
    ) -> int:
        words: set[str] = set()
        rows = [
            (
                pmid,
                self.tsvector(
                    [(doc[f], PG_WEIGHTS[f]) for f in FIELDS if f in PG_WEIGHTS], found=words
                ),
                self.tsvector([(doc["affiliations"], "A")], found=words),
            )
            for pmid, doc in documents
        ]
        if words:
            # Sorted: two ingests adding the same new words take their locks in one order.
            # Words are never taken out: one whose articles are gone matches nothing.
            cursor.execute(
                f"INSERT INTO {TERMS_TABLE} (term) SELECT unnest(%s::text[]) "
                "ON CONFLICT DO NOTHING",
                [sorted(words)],
            )
        if rows:
            # The article's date, for sorting hits without its row (``first``). COPY,
            # not a statement per row: an ingest of pubmed20n0014's 30,000 records spent
            # 15.7 s in the index instead of 27.5 (docs/benchmarks.md, 2026-12-07).
            cursor.execute(
                f"SELECT pmid, pub_date FROM {Article._meta.db_table} WHERE pmid = ANY(%s)",
                [[row[0] for row in rows]],
            )
            dates = dict(cursor.fetchall())
            bulk.copy_rows(
                cursor,
                table,
                ["rowid", "document", "affiliations", "pub_date"],
                [(*row, dates.get(row[0])) for row in rows],
            )
        return len(rows)

    def tsvector(self, fields: list[tuple[list[str], str]], *, found: set | None = None) -> str:
        """A tsvector literal: ``'word':1A,7A 'other':2B``; its words are added to
        ``found``."""
        positions: dict[str, list[str]] = defaultdict(list)
        position = 1
        limit = self.MAX_POSITION
        for texts, weight in fields:
            for text in texts:
                words = tokens(text)
                for offset, token in enumerate(words, position):
                    positions[token].append(f"{offset if offset < limit else limit}{weight}")
                position += len(words)
            position += 1  # the gap between fields
        if found is not None:
            found.update(positions)
        most = self.MAX_POSITIONS_PER_WORD
        return " ".join(f"'{token}':{','.join(p[:most])}" for token, p in positions.items())

    def variants(self, cursor, stem: str, limit: int) -> list[str]:
        cursor.execute(
            f"SELECT term FROM {TERMS_TABLE} WHERE term >= %s AND term < %s ORDER BY term LIMIT %s",
            [stem, _after(stem), limit],
        )
        return [row[0] for row in cursor.fetchall()]

    def compile(self, node: Node) -> CompiledText:
        columns = _columns(node)
        if isinstance(node, Term) or len(columns) == 1:  # a term has one column
            column = columns.pop()
            return CompiledText(f"{{{column}}} @@ %s::tsquery", (self.tsquery(node),))
        parts = [self.compile(item) for item in node.items]
        if node.op == "NOT":
            sql = f"({parts[0].sql})" + "".join(f" AND NOT ({p.sql})" for p in parts[1:])
        else:
            sql = f" {node.op} ".join(f"({p.sql})" for p in parts)
        return CompiledText(sql, tuple(param for p in parts for param in p.params))

    def tsquery(self, node: Node) -> str:
        """tsquery syntax; each lexeme quoted, and lexemes hold only letters and digits."""
        if isinstance(node, Term):
            lexemes = self.lexemes(node)
            return " <-> ".join(lexemes) if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"
        parts = [f"({self.tsquery(item)})" for item in node.items]
        if node.op == "NOT":
            return parts[0] + "".join(f" & !{p}" for p in parts[1:])
        return (" & " if node.op == "AND" else " | ").join(parts)

    def lexemes(self, term: Term, *, capped: bool = True) -> list[str]:
        """A term's words as tsquery lexemes, with the weights of its tag's fields and the
        last one's prefix mark: ``'lung'``, ``'immun':*AB``; a capped truncation's last
        word is its pieces, ORed: ``('a' | 'a0':* | ... | 'abdul')``, unless ``capped`` is
        false."""
        words, prefix = term_tokens(term)
        weights = "".join(PG_WEIGHTS[c] for c in FIELD_COLUMNS[term.field] if c in PG_WEIGHTS)
        if term.field == "all":
            weights = ""  # every weight of ``document``
        last = len(words) - 1

        def lexeme(word: str, truncated: bool) -> str:
            return f"'{word}'" + (":" + ("*" if truncated else "") + weights).rstrip(":")

        found = [lexeme(w, prefix and i == last) for i, w in enumerate(words)]
        pieces = self.capped.get(words[-1]) if term.prefix and capped else None
        if pieces:
            found[-1] = "(" + " | ".join(lexeme(*piece) for piece in pieces) + ")"
        return found

    def rank(self, node: Node) -> tuple[str, tuple]:
        """ts_rank of each tsvector by the words of the terms a match must contain, ORed:
        a hit scores by how often and in which fields (title first) they occur. ts_rank
        scores an OR by its words alone, whatever operators join them, but a query whose top
        is a phrase or an AND by the distance between every two occurrences: a lone phrase
        was ranked by word pairs where any other query is ranked by words, and that cost
        ``"blood pressure"`` at 1,000,000 abstracts 2-4 ms of its 40 (15,162 hits)."""
        parts, params = [], []
        terms = positive_terms(node)
        for column, wanted in (
            ("document", [t for t in terms if t.field != "ad"]),
            ("affiliations", [t for t in terms if t.field == "ad"]),
        ):
            # A capped truncation ranks by its stem: the hits are the match's, and ts_rank
            # reads its query once per hit (26 capped stems, 986 pieces: 1.8 s a page at
            # 50,783 articles, against 0.4 uncapped).
            lexemes = [lexeme for term in wanted for lexeme in self.lexemes(term, capped=False)]
            if lexemes:
                parts.append(f"ts_rank({TABLE}.{column}, %s::tsquery)")
                params.append(" | ".join(lexemes))
        return (" + ".join(parts) or "0.0"), tuple(params)

    def size_bytes(self, cursor) -> int:
        cursor.execute("SELECT pg_total_relation_size(%s)", [TABLE])
        return int(cursor.fetchone()[0] or 0)


# The most hits a best match ranks (``first.best_first_pks``): the list reads its first
# ``articles.browse.facets.CAP`` + 1 matches, and the recent index is sized for that many.
RANK_LIMIT = 10_001

# Where bounding pays on PostgreSQL: when hits squared exceed this times ``limit`` times the
# indexed rows. Ranking costs every hit; the window costs its hits (about ``limit``) and a
# bitmap of its rows (``limit * indexed / hits``). Measured at 1,000,000 abstracts (window,
# every hit ranked; ms): diabetes, 21,204 estimated, 279 and 180; bone, 29,902, 205 and 226;
# pressure, 36,631, 234 and 281; children, 42,308, 160 and 263; blood, 99,454, 148 and 760.
BREAK_EVEN = 0.08

# How much larger than the estimate says the window is made: the estimate of a common word
# was within 3% of the truth at 1,000,000 abstracts (blood: 99,257 for 101,355), and the
# histogram rounds the start to the wide side. At 1.1, twelve words and two tagged searches
# each took one window (blood AND 2021[dp] two, as at 1.25), and each took less time than at
# 1.25 (median of seven, twice: pressure 154 -> 95 ms, children 112 -> 94, blood 95 -> 91).
WINDOW_MARGIN = 1.1


def largest_window(indexed: float, limit: int) -> float:
    """The most index rows a first window is sized to for ``limit`` hits among ``indexed``:
    that of the fewest hits bounded (``first.bounding_estimate``), with its margin and the
    histogram's rounding (``first._window_start``: 1% of the rows). At 1,000,000:
    398,929."""
    return WINDOW_MARGIN * math.sqrt(limit * indexed / BREAK_EVEN) + indexed / 100


def _after(stem: str) -> str:
    """The least string after every string starting with ``stem``."""
    return stem[:-1] + chr(ord(stem[-1]) + 1)


def _columns(node: Node) -> set[str]:
    if isinstance(node, Term):
        return {"aff" if node.field == "ad" else "doc"}
    return set().union(*(_columns(item) for item in node.items))


def positive_terms(node: Node) -> list[Term]:
    """The terms a match must contain (not those under a NOT)."""
    if isinstance(node, Term):
        return [node]
    items = node.items[:1] if node.op == "NOT" else node.items
    return [t for item in items for t in positive_terms(item)]
