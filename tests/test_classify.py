"""articles.text.classify: MeSH headings and substances as diseases, therapies and causes."""

from pathlib import Path

import pytest

from articles.pubmed.parser import parse
from articles.pubmed.records import Article
from articles.text.classify import (
    CAUSE,
    DISEASE,
    THERAPY,
    article_concepts,
    classify_heading,
    heading_roles,
    load_tree,
)

DEMO = Path(__file__).parent.parent / "articles" / "demo" / "pubmed21n1298_case_reports.xml.gz"


@pytest.fixture(scope="module")
def tree():
    return load_tree()


def demo_article(pmid: int) -> Article:
    return next(a for a in parse(DEMO) if isinstance(a, Article) and a.pmid == pmid)


def test_the_bundled_tree_holds_every_descriptor(tree):
    assert len(tree) == 30764
    assert tree["D003882"] == (  # Dermatomyositis
        "C05.651.594.819.500",
        "C10.668.491.562.575.500",
        "C17.300.250",
        "C17.800.185",
    )
    assert tree["D005260"] == ()  # Female: a check tag, no tree position


@pytest.mark.parametrize(
    ("ui", "qualifiers", "role"),
    [
        ("D003882", ["complications", "drug therapy"], DISEASE),  # Dermatomyositis
        ("D017563", ["etiology", "drug therapy"], DISEASE),  # Lung Diseases, Interstitial
        ("D016756", ["therapeutic use"], THERAPY),  # Immunoglobulins, Intravenous
        ("D016572", ["therapeutic use"], THERAPY),  # Cyclosporine
        ("D016572", [], THERAPY),
        ("D016572", ["adverse effects"], CAUSE),
        ("D016572", ["Q000009"], CAUSE),  # the same, by qualifier UI
        ("D013779", ["poisoning"], CAUSE),  # Tetrodotoxin
        ("D001323", ["blood"], ""),  # Autoantibodies measured, not given
        ("D003287", [], ""),  # Contrast Media: diagnostic
        ("D006435", [], THERAPY),  # Renal Dialysis, E02
        ("D010027", [], THERAPY),  # Osteotomy, E04
        ("D001523", ["drug therapy"], DISEASE),  # Mental Disorders, F03
        ("D004831", ["chemically induced"], DISEASE),  # Epilepsies, Myoclonic
        ("D006801", [], ""),  # Humans
        ("D005260", [], ""),  # Female
        ("D008168", ["diagnostic imaging"], ""),  # Lung: anatomy
    ],
)
def test_it_classifies_a_heading_by_tree_and_qualifiers(tree, ui, qualifiers, role):
    assert classify_heading(ui, qualifiers, tree[ui]) == role


@pytest.mark.parametrize(
    ("qualifiers", "role"),
    [
        (["drug therapy"], DISEASE),
        (["surgery", "pathology"], DISEASE),
        (["therapeutic use"], THERAPY),
        (["adverse effects", "therapeutic use"], CAUSE),
        (["poisoning"], CAUSE),
        (["genetics"], ""),
        ([], ""),
    ],
)
def test_a_descriptor_missing_from_the_mesh_data_falls_back_on_its_qualifiers(qualifiers, role):
    assert classify_heading("D099999999", qualifiers, None) == role


def test_a_drug_given_and_harmful_is_both_a_cause_and_a_therapy(tree):
    assert heading_roles(
        "D005290", ["administration & dosage", "adverse effects"], tree["D005290"]
    ) == (
        CAUSE,
        THERAPY,
    )
    assert heading_roles("D016572", ["adverse effects"], tree["D016572"]) == (CAUSE,)


def test_cefepime_overdose_pmid_31175111_is_a_cause_not_a_therapy():
    concepts = {(c.ui, c.role, c.source) for c in article_concepts(demo_article(31175111))}

    assert concepts == {
        ("D058186", DISEASE, "mesh"),  # Acute Kidney Injury
        ("D000900", CAUSE, "mesh"),  # Anti-Bacterial Agents, adverse effects
        ("D001987", DISEASE, "mesh"),  # Bronchiectasis
        ("D000077723", CAUSE, "mesh"),  # Cefepime, adverse effects
        ("D064420", DISEASE, "mesh"),  # Drug-Related Side Effects and Adverse Reactions
        ("D004831", DISEASE, "mesh"),  # Epilepsies, Myoclonic
        ("D020258", DISEASE, "mesh"),  # Neurotoxicity Syndromes
        ("D006435", THERAPY, "mesh"),  # Renal Dialysis
        ("D013226", DISEASE, "mesh"),  # Status Epilepticus
    }


def test_a_supplementary_concept_drug_is_a_therapy_when_the_article_treats_with_drugs():
    # PMID 31175113: ferric carboxymaltose (C522335) for iron-deficiency anaemia.
    concepts = [c for c in article_concepts(demo_article(31175113)) if c.source == "substance"]

    assert [(c.ui, c.role) for c in concepts] == [("C522335", THERAPY)]
