"""MeSH vocabulary in the database: load the bundled tree (``load_mesh``) and walk it.

The descriptor file is ``articles/text/mesh_data/mesh_descriptors_2024.tsv.gz`` (see the README
there). Loading compares the file with what is stored and writes only the difference, so a
second run writes nothing.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction

from articles import models as m
from articles.text.classify import MESH_FILE

# MeshEntryTerm.normalized is a CharField(255): a few chemical names are longer.
NORMALIZED_LENGTH = 255


class MeshFileError(Exception):
    pass


@dataclass
class MeshLoadStats:
    descriptors_created: int = 0
    descriptors_updated: int = 0
    descriptors_unchanged: int = 0
    tree_numbers_added: int = 0
    tree_numbers_removed: int = 0
    entry_terms_added: int = 0
    entry_terms_removed: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"descriptors: created {self.descriptors_created}, updated "
            f"{self.descriptors_updated}, unchanged {self.descriptors_unchanged}; "
            f"tree numbers: added {self.tree_numbers_added}, removed {self.tree_numbers_removed}; "
            f"entry terms: added {self.entry_terms_added}, removed {self.entry_terms_removed} "
            f"({self.seconds:.1f} s)"
        )


@dataclass(frozen=True)
class DescriptorRow:
    ui: str
    name: str
    tree_numbers: tuple[str, ...]
    entry_terms: tuple[str, ...]


def read_descriptors(path: str | Path = MESH_FILE) -> list[DescriptorRow]:
    """The rows of a descriptor file (gzip or plain TSV with the bundled file's header)."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    rows = []
    try:
        with opener(path, "rt", encoding="utf-8") as stream:
            header = stream.readline().rstrip("\n").split("\t")
            if header[:4] != ["descriptor_ui", "name", "tree_numbers", "entry_terms"]:
                raise MeshFileError(
                    f"{path}: expected the header descriptor_ui, name, tree_numbers, "
                    f"entry_terms; found {header[:4]}"
                )
            for number, line in enumerate(stream, start=2):
                parts = line.rstrip("\n").split("\t")
                if len(parts) != 4 or not parts[0] or not parts[1]:
                    raise MeshFileError(f"{path}: line {number}: expected 4 tab-separated fields")
                ui, name, trees, entries = parts
                rows.append(
                    DescriptorRow(
                        ui,
                        name,
                        tuple(t for t in trees.split("|") if t),
                        tuple(dict.fromkeys(e for e in entries.split("|") if e)),
                    )
                )
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise MeshFileError(f"{path}: cannot be read: {exc}") from exc
    return rows


def load_mesh(path: str | Path = MESH_FILE) -> MeshLoadStats:
    """Make the stored MeSH descriptors, tree numbers and entry terms match the file, in one
    transaction. Descriptors the file lacks (seen only in records) are kept."""
    started = time.perf_counter()
    rows = read_descriptors(path)
    stats = MeshLoadStats()
    with transaction.atomic(), connection.cursor() as cursor:
        stored_names = dict(m.MeshDescriptor.objects.values_list("ui", "name"))
        create = [(d.ui, d.name) for d in rows if d.ui not in stored_names]
        update = [
            (d.name, d.ui) for d in rows if d.ui in stored_names and stored_names[d.ui] != d.name
        ]
        _executemany(cursor, m.MeshDescriptor, ["ui", "name"], create)
        if update:
            table = _table(m.MeshDescriptor)
            cursor.executemany(f"UPDATE {table} SET name = %s WHERE ui = %s", update)
        stats.descriptors_created = len(create)
        stats.descriptors_updated = len(update)
        stats.descriptors_unchanged = len(rows) - len(create) - len(update)

        wanted_trees = {n: d.ui for d in rows for n in d.tree_numbers}
        stored_trees = dict(m.MeshTreeNumber.objects.values_list("number", "descriptor_id"))
        gone = [n for n, ui in stored_trees.items() if wanted_trees.get(n) != ui]
        _delete_in(cursor, m.MeshTreeNumber, "number", gone)
        added = [(n, ui) for n, ui in wanted_trees.items() if stored_trees.get(n) != ui]
        _executemany(cursor, m.MeshTreeNumber, ["number", "descriptor_id"], added)
        stats.tree_numbers_added, stats.tree_numbers_removed = len(added), len(gone)

        in_file = {d.ui for d in rows}
        wanted_terms = {(d.ui, t) for d in rows for t in d.entry_terms}
        stored_terms = {
            (ui, term): pk
            for pk, ui, term in m.MeshEntryTerm.objects.values_list("pk", "descriptor_id", "term")
        }
        # Terms of descriptors missing from the file are left alone, like the descriptors.
        gone_terms = [
            pk for key, pk in stored_terms.items() if key[0] in in_file and key not in wanted_terms
        ]
        _delete_in(cursor, m.MeshEntryTerm, "id", gone_terms)
        new_terms = [
            (ui, term, term.casefold()[:NORMALIZED_LENGTH])
            for ui, term in sorted(wanted_terms - stored_terms.keys())
        ]
        _executemany(cursor, m.MeshEntryTerm, ["descriptor_id", "term", "normalized"], new_terms)
        stats.entry_terms_added, stats.entry_terms_removed = len(new_terms), len(gone_terms)
    stats.seconds = time.perf_counter() - started
    return stats


def descendant_uis(ui: str) -> set[str]:
    """A descriptor and every descriptor below it in the MeSH tree (Lung Diseases D008171
    includes Lung Diseases, Interstitial D017563). Empty when the tree is not loaded and the
    descriptor unknown; just ``{ui}`` for a descriptor with no tree numbers."""
    found = narrower_uis([ui])
    if found or m.MeshDescriptor.objects.filter(ui=ui).exists():
        return found | {ui}
    return set()


def narrower_uis(uis: Iterable[str]) -> set[str]:
    """The descriptors below any of ``uis`` in the MeSH tree (empty until ``load_mesh``).

    One query, on a range rather than LIKE 'C08.381.%' (which SQLite cannot answer from the
    primary key index): "/" is the character after "."."""
    uis = sorted(set(uis))
    if not uis:
        return set()
    table = _table(m.MeshTreeNumber)
    marks = ", ".join(["%s"] * len(uis))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT below.descriptor_id FROM {table} AS own JOIN {table} AS below "
            "ON below.number > own.number || '.' AND below.number < own.number || '/' "
            f"WHERE own.descriptor_id IN ({marks})",
            uis,
        )
        return {row[0] for row in cursor.fetchall()}


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _executemany(cursor, model: type, columns: list[str], rows: Iterable[tuple]) -> None:
    rows = list(rows)
    if not rows:
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {_table(model)} ({names}) VALUES ({marks})", rows)


def _delete_in(cursor, model: type, column: str, values: list) -> None:
    quoted = connection.ops.quote_name(column)
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        marks = ", ".join(["%s"] * len(chunk))
        cursor.execute(f"DELETE FROM {_table(model)} WHERE {quoted} IN ({marks})", chunk)
