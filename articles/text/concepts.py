"""MeSH look-ups for the disease and therapy filters: a typed name to a descriptor, a descriptor
to itself and every narrower one, and the typeahead's suggestions."""

from __future__ import annotations

import re

from django.db.models import Q
from django.db.models.functions import Length

from articles.models import MeshDescriptor, MeshEntryTerm, MeshTreeNumber
from articles.text.mesh import descendant_uis

DESCRIPTOR_UI = re.compile(r"^[CD]\d{6,9}$")

# Tree branches each role's typeahead offers first (README of the MeSH data): Diseases (C) and
# Mental Disorders (F03); Chemicals and Drugs (D), Therapeutics (E02), Surgical Procedures (E04).
ROLE_BRANCHES = {
    "disease": ("C", "F03"),
    "therapy": ("D", "E02", "E04"),
}


def find_descriptor(text: str) -> MeshDescriptor | None:
    """The descriptor a reader means by ``text``: a UI ("D003882"), a descriptor name, an
    entry term ("IVIG") or the start of a name, case-insensitively, in that order."""
    text = text.strip()
    if not text:
        return None
    if DESCRIPTOR_UI.match(text.upper()):
        return MeshDescriptor.objects.filter(ui=text.upper()).first()
    found = MeshDescriptor.objects.filter(name__iexact=text).order_by("ui").first()
    if found is not None:
        return found
    entry = (
        MeshEntryTerm.objects.filter(normalized=text.casefold())
        .select_related("descriptor")
        .order_by("descriptor_id")
        .first()
    )
    if entry is not None:
        return entry.descriptor
    # A name begun but not finished ("cromolyn" for Cromolyn Sodium): the shortest such name.
    return (
        MeshDescriptor.objects.filter(name__istartswith=text)
        .order_by(Length("name"), "name")
        .first()
    )


def narrower_uis(descriptor_ui: str) -> list[str]:
    """``descriptor_ui`` and every descriptor below it in the MeSH tree, sorted."""
    return sorted(descendant_uis(descriptor_ui) | {descriptor_ui})


def suggest(text: str, role: str, limit: int = 12) -> list[dict]:
    """Typeahead suggestions: descriptors whose name or an entry term starts with ``text``,
    those in ``role``'s tree branches first. Each: ``{"ui", "name", "matched"}`` where
    ``matched`` is the entry term typed ("IVIG") when it is not the name."""
    text = text.strip()
    if len(text) < 2:
        return []
    folded = text.casefold()
    branches = ROLE_BRANCHES.get(role, ())
    in_branch = Q()
    # Before ``load_mesh`` has run there is no tree to narrow by: offer every descriptor.
    if MeshTreeNumber.objects.exists():
        for branch in branches:
            in_branch |= Q(tree_numbers__number__startswith=branch)
    names = (
        MeshDescriptor.objects.filter(in_branch, name__istartswith=text)
        .distinct()
        .order_by("name")
        .values_list("ui", "name")[:limit]
    )
    found: dict[str, dict] = {ui: {"ui": ui, "name": name, "matched": ""} for ui, name in names}
    if len(found) < limit:
        entries = (
            MeshEntryTerm.objects.filter(
                normalized__startswith=folded,
                descriptor__in=MeshDescriptor.objects.filter(in_branch),
            )
            .exclude(descriptor_id__in=found)
            .order_by("normalized")
            .values_list("descriptor_id", "descriptor__name", "term")[: limit * 3]
        )
        for ui, name, term in entries:
            if ui not in found and len(found) < limit:
                found[ui] = {"ui": ui, "name": name, "matched": term}
    return list(found.values())
