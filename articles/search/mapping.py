"""Automatic term mapping: which phrases of a query name a MeSH descriptor, from the stored
MeSH data (``load_mesh``). The parser (``query.parse``) asks for the phrases of each run of
untagged words at once; this answers in three indexed queries (entry terms, names, tree
branches). Before ``load_mesh`` has run nothing maps, and queries run as written.

Only diseases (C, F03) and therapies (D, E02, E04) are searched as concepts, the kinds
Casebook recognises in the text; a phrase naming any other descriptor ("hearing aids",
"blood") maps to nothing but still keeps the words inside it from mapping alone ("aids").
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.db.models.functions import Lower

from articles import models as m
from articles.search.query import Mapped, Node, Term

# The concept store's branches (``articles.text.concepts.ROLE_BRANCHES``,
# ``articles.curation.roles``).
CONCEPT_BRANCHES = ("C", "F03", "D", "E02", "E04")


def lookup(phrases: Iterable[str]) -> dict[str, Mapped]:
    """Casefolded phrases -> the descriptor each names, by name first, then by entry term;
    where an entry term names several descriptors, a disease or therapy first, then the
    lowest UI."""
    phrases = sorted(set(phrases))
    if not phrases:
        return {}
    named: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for folded, ui, name in (
        m.MeshDescriptor.objects.annotate(folded=Lower("name"))
        .filter(folded__in=phrases)
        .values_list("folded", "ui", "name")
    ):
        named.setdefault(folded, set()).add(ui)
        names[ui] = name
    by_entry: dict[str, set[str]] = {}
    for normalized, ui, name in m.MeshEntryTerm.objects.filter(
        normalized__in=[p for p in phrases if p not in named]
    ).values_list("normalized", "descriptor_id", "descriptor__name"):
        by_entry.setdefault(normalized, set()).add(ui)
        names[ui] = name
    in_scope = _in_branches(names)
    found: dict[str, Mapped] = {}
    for phrase, uis in (*named.items(), *by_entry.items()):
        ui = min(uis, key=lambda u: (u not in in_scope, u))
        found[phrase] = Mapped(ui, names[ui], ui in in_scope)
    return found


def resolve(node: Node | None, names: dict[str, str], notes: list[str]) -> Node | None:
    """Concept terms written by hand (``"heart attack"[concept]``) name a descriptor by its
    name, an entry term or its UI: each becomes its UI, and ``names`` learns the name."""
    return None if node is None else _resolved(node, names, notes)


def _resolved(node: Node, names: dict[str, str], notes: list[str]) -> Node:
    if isinstance(node, Term):
        if node.field != "concept" or node.text in names:
            return node
        text = node.text.strip()
        by_ui = m.MeshDescriptor.objects.filter(ui=text.upper()).values_list("ui", "name")
        mapped = lookup([" ".join(text.casefold().split())]).values()
        found = by_ui.first() or next(((x.ui, x.name) for x in mapped), None)
        if found is None:
            if (note := f"No MeSH concept matches {text!r}.") not in notes:
                notes.append(note)
            return node
        names[found[0]] = found[1]
        return Term(found[0], "concept")
    return type(node)(node.op, tuple(_resolved(item, names, notes) for item in node.items))


def _in_branches(names: dict[str, str]) -> set[str]:
    if not names:
        return set()
    branch = Q()
    for prefix in CONCEPT_BRANCHES:
        branch |= Q(number__startswith=prefix)
    return set(
        m.MeshTreeNumber.objects.filter(branch, descriptor_id__in=list(names))
        .values_list("descriptor_id", flat=True)
        .distinct()
    )
