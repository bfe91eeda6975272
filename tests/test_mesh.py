"""articles.text.mesh and ``load_mesh``: the MeSH tree in the database, and walking it."""

import gzip
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles import models as m
from articles.ingest.files import ingest_files
from articles.search.filtering import search
from articles.text.mesh import descendant_uis, load_mesh

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_mesh(tmp_path):
    """Four descriptors in the bundled file's format (real UIs and names; trees simplified)."""
    path = tmp_path / "mesh.tsv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        stream.write("descriptor_ui\tname\ttree_numbers\tentry_terms\n")
        stream.write("D008171\tLung Diseases\tC08.381\tPulmonary Diseases|Lung Disease\n")
        stream.write(
            "D017563\tLung Diseases, Interstitial\tC08.381.483\tInterstitial Lung Diseases\n"
        )
        stream.write("D011658\tPulmonary Fibrosis\tC08.381.765\tFibrosis, Pulmonary\n")
        stream.write("D005260\tFemale\t\t\n")
    return path


def test_it_loads_the_bundled_mesh_and_a_second_run_writes_nothing():
    out = StringIO()
    call_command("load_mesh", stdout=out)

    assert out.getvalue().startswith(
        "descriptors: created 30764, updated 0, unchanged 0; tree numbers: added 64457, "
        "removed 0; entry terms: added 137406, removed 0"
    )
    assert m.MeshDescriptor.objects.get(ui="D016756").name == "Immunoglobulins, Intravenous"
    assert m.MeshEntryTerm.objects.filter(normalized="ivig").get().descriptor_id == "D016756"

    out = StringIO()
    call_command("load_mesh", stdout=out)
    assert out.getvalue().startswith(
        "descriptors: created 0, updated 0, unchanged 30764; tree numbers: added 0, "
        "removed 0; entry terms: added 0, removed 0"
    )


def test_lung_diseases_includes_interstitial_lung_diseases():
    load_mesh()

    below = descendant_uis("D008171")

    assert {"D008171", "D017563", "D011658"} <= below  # Lung Diseases, Interstitial; Fibrosis
    assert "D003882" not in below  # Dermatomyositis is elsewhere in the tree
    assert descendant_uis("D017563") >= {"D017563", "D011658"}  # Fibrosis is interstitial too
    assert "D008171" not in descendant_uis("D017563")


def test_it_refreshes_names_tree_numbers_and_entry_terms(small_mesh, tmp_path):
    m.MeshDescriptor.objects.create(ui="D008171", name="Lung Diseases (from a record)")
    m.MeshDescriptor.objects.create(ui="D999999", name="Seen only in a record")
    stats = load_mesh(small_mesh)
    assert (stats.descriptors_created, stats.descriptors_updated) == (3, 1)
    assert m.MeshDescriptor.objects.get(ui="D008171").name == "Lung Diseases"

    changed = tmp_path / "changed.tsv"
    changed.write_text(
        "descriptor_ui\tname\ttree_numbers\tentry_terms\n"
        "D008171\tLung Diseases\tC08.381\tPulmonary Diseases\n"
        "D017563\tLung Diseases, Interstitial\tC08.381.483\tInterstitial Lung Diseases\n"
        "D011658\tPulmonary Fibrosis\tC08.381.483.950\tFibrosis, Pulmonary\n"
        "D005260\tFemale\t\t\n",
        encoding="utf-8",
    )
    stats = load_mesh(changed)

    assert (stats.tree_numbers_added, stats.tree_numbers_removed) == (1, 1)
    assert (stats.entry_terms_added, stats.entry_terms_removed) == (0, 1)
    assert descendant_uis("D017563") == {"D017563", "D011658"}
    assert m.MeshDescriptor.objects.filter(ui="D999999").exists()


def test_it_names_the_file_and_line_of_a_broken_row(tmp_path):
    broken = tmp_path / "broken.tsv"
    broken.write_text(
        "descriptor_ui\tname\ttree_numbers\tentry_terms\nD008171\tLung Diseases\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match=r"broken.tsv: line 2: expected 4 tab-separated"):
        call_command("load_mesh", str(broken))
    assert not m.MeshDescriptor.objects.exists()


def test_a_descriptor_outside_the_loaded_tree_has_no_descendants():
    assert descendant_uis("D008171") == set()


def test_a_changed_tree_rebuilds_the_search_index_so_concepts_find_narrower_ones(small_mesh):
    # The seed (PMID 19387736, no MeSH) is ingested before any MeSH: the index holds its own
    # concepts but not the broader Lung Diseases above Lung Diseases, Interstitial.
    ingest_files([Path(__file__).parent / "fixtures" / "seed_19387736_from_page.xml"])

    def found(term):
        return list(search(m.Article.objects.all(), term).queryset.values_list("pk", flat=True))

    assert found("D008171[concept]") == []
    out = StringIO()
    call_command("load_mesh", str(small_mesh), stdout=out)

    assert "The MeSH tree changed: rebuilding the search index.\nindexed 1 articles" in (
        out.getvalue()
    )
    assert found("D008171[concept]") == [19387736]
    out = StringIO()
    call_command("load_mesh", str(small_mesh), stdout=out)
    assert "rebuilding" not in out.getvalue()
