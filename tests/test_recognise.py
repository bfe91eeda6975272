"""Concept recognition from text (``articles.text.recognise``): no database, no network.

The vocabulary is built once from the bundled MeSH files into a cache directory under the
system's temporary directory, keyed by the files' contents, so later runs only load it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from articles.pubmed.parser import parse
from articles.text.recognise import recognise
from articles.text.recognise import text as t
from articles.text.recognise.abbreviations import best_long_form, definitions
from articles.text.recognise.vocabulary import Vocabulary

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = FIXTURES / "seed_19387736_from_page.xml"
LABELLED = FIXTURES / "abstract_labels.xml.gz"


@pytest.fixture(scope="session")
def vocabulary() -> Vocabulary:
    return Vocabulary.cached(Path(tempfile.gettempdir()) / "casebook-test-vocabulary")


@pytest.fixture(scope="session")
def labelled() -> dict:
    return {a.pmid: a for a in parse(LABELLED)}


def read(article) -> tuple[str, str, list[str]]:
    return (
        article.title,
        "\n".join(section.text for section in article.abstract),
        [keyword.text for keyword in article.keywords],
    )


def by_role(concepts) -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = {"disease": {}, "therapy": {}, "cause": {}}
    for concept in concepts:
        if not concept.negated:
            found[concept.role][concept.name] = concept
    return found


def test_it_reads_the_seed_from_its_text_alone(vocabulary):
    """PMID 19387736 as its PubMed page shows it: no MeSH, no substances."""
    (article,) = list(parse(SEED))
    concepts = recognise(*read(article), vocabulary=vocabulary)
    found = by_role(concepts)
    assert {"Dermatomyositis", "Polymyositis", "Lung Diseases, Interstitial"} <= set(
        found["disease"]
    )
    ivig = found["therapy"]["Immunoglobulins, Intravenous"]
    assert (ivig.ui, ivig.prior) == ("D016756", False)
    prior = {name for name, concept in found["therapy"].items() if concept.prior}
    assert {"Cyclosporine", "Cyclophosphamide", "Adrenal Cortex Hormones"} <= prior
    assert not found["cause"]


def test_it_resolves_abbreviations_the_abstract_defines(vocabulary):
    (article,) = list(parse(SEED))
    title, abstract, keywords = read(article)
    concepts = by_role(recognise(title, abstract, keywords, vocabulary=vocabulary))
    ild = [e.text for e in concepts["disease"]["Lung Diseases, Interstitial"].evidence]
    assert ild.count("ILD") == abstract.count("ILD")
    ivig = concepts["therapy"]["Immunoglobulins, Intravenous"].evidence
    assert sum(e.text == "IVIG" for e in ivig) == abstract.count("IVIG")


def test_it_defines_the_parts_of_a_compound_short_form():
    text = (
        "Interstitial lung disease (ILD) associated with polymyositis/dermatomyositis "
        "(ILD-PM/DM), including amyopathic dermatomyositis (ADM)"
    )
    found = {d.short: d.long for d in definitions(text)}
    assert found == {
        "ILD": "Interstitial lung disease",
        "ILD-PM/DM": "",
        "PM": "polymyositis",
        "DM": "dermatomyositis",
        "ADM": "amyopathic dermatomyositis",
    }


def test_it_reads_each_part_of_a_compound_as_its_concept(vocabulary):
    """ "One patient had acute ILD-PM" (PMID 19387736): the "PM" of the compound is
    polymyositis, found where it stands."""
    (article,) = list(parse(SEED))
    title, abstract, keywords = read(article)
    concepts = by_role(recognise(title, abstract, keywords, vocabulary=vocabulary))
    start = abstract.index("acute ILD-PM") + len("acute ILD-")
    spans = {(e.start, e.end) for e in concepts["disease"]["Polymyositis"].evidence}
    assert (start, start + 2) in spans


def test_it_finds_the_long_form_schwartz_and_hearst_would():
    assert best_long_form("IVIG", "Intravenous immunoglobulin therapy") == (
        "Intravenous immunoglobulin therapy"
    )
    assert best_long_form("ILD", "patients with interstitial lung disease") == (
        "interstitial lung disease"
    )
    assert best_long_form("XYZ", "interstitial lung disease") is None


@pytest.mark.parametrize(
    "abstract",
    [
        "A 40-year-old man with fever. There was no evidence of tuberculosis.",
        "A 40-year-old man with fever. Sarcoidosis was excluded by biopsy.",
    ],
)
def test_it_reports_a_negated_disease_as_negated(vocabulary, abstract):
    concepts = recognise("", abstract, vocabulary=vocabulary)
    negated = {c.name for c in concepts if c.negated}
    affirmed = {c.name for c in concepts if not c.negated}
    assert negated & {"Tuberculosis", "Sarcoidosis"}
    assert "Fever" in affirmed


def test_it_reports_what_a_real_abstract_ruled_out_as_negated(vocabulary, labelled):
    """PMID 34094764: "Initial workup ruled out infectious etiologies ..." while the
    patient's lymphoma stays a disease."""
    concepts = recognise(*read(labelled[34094764]), vocabulary=vocabulary)
    found = by_role(concepts)
    assert "Lymphoma, T-Cell, Peripheral" in found["disease"]
    assert "Pancytopenia" in found["disease"]


@pytest.mark.parametrize(
    ("pmid", "drug", "disease"),
    [
        (402877, "Levodopa", "Anemia, Hemolytic"),  # "levodopa-induced haemolytic anaemia"
        (424837, "Propranolol", "Diarrhea"),  # "propranolol-induced severe diarrhea"
    ],
)
def test_it_reads_a_drug_that_induced_the_disease_as_its_cause(
    vocabulary, labelled, pmid, drug, disease
):
    found = by_role(recognise(*read(labelled[pmid]), vocabulary=vocabulary))
    assert drug in found["cause"]
    assert disease in found["disease"]


def test_it_reads_methotrexate_induced_pneumonitis_as_a_cause(vocabulary):
    """A drug that induced the disease caused it, and (the labelling guide's rule) was given
    to treat: it is both, on the same words."""
    concepts = recognise(
        "Methotrexate-induced pneumonitis in rheumatoid arthritis.", "", vocabulary=vocabulary
    )
    found = by_role(concepts)
    assert list(found["cause"]) == ["Methotrexate"]
    assert [e.text for e in found["therapy"]["Methotrexate"].evidence] == ["Methotrexate"]
    assert "Arthritis, Rheumatoid" in found["disease"]


def test_it_reads_a_drug_the_patient_was_exposed_to_as_a_cause_only(vocabulary):
    abstract = "A 3-year-old boy developed coma after ingestion of amitriptyline."
    found = by_role(recognise("", abstract, vocabulary=vocabulary))
    assert list(found["cause"]) == ["Amitriptyline"]
    assert "Amitriptyline" not in found["therapy"]


def test_it_marks_a_therapy_the_disease_was_refractory_to_as_prior(vocabulary):
    abstract = (
        "A 30-year-old woman with ulcerative colitis refractory to infliximab was treated "
        "with vedolizumab."
    )
    therapies = [c for c in recognise("", abstract, vocabulary=vocabulary) if c.role == "therapy"]
    assert [(c.name, c.prior, c.evidence[0].text) for c in therapies] == [
        ("Infliximab", True, "infliximab"),
        ("Antibodies, Monoclonal, Humanized", False, "vedolizumab"),
    ]


def test_it_takes_the_longest_match_first(vocabulary):
    concepts = recognise("Interstitial lung disease in a child.", "", vocabulary=vocabulary)
    assert [(c.name, [e.text for e in c.evidence]) for c in concepts] == [
        ("Lung Diseases, Interstitial", ["Interstitial lung disease"])
    ]


def test_it_does_not_trust_a_common_word_entry_term_alone(vocabulary):
    """ "Lead" is an entry term of the metal; "may lead to" names no lead."""
    abstract = "Aspiration may lead to pneumonia."
    names = {c.name for c in recognise("", abstract, vocabulary=vocabulary)}
    assert "Lead" not in names
    assert "Pneumonia" in names


def test_it_does_not_trust_an_undefined_short_form_alone(vocabulary):
    """ "ALS" is an entry term of Amyotrophic Lateral Sclerosis; undefined, it is not read."""
    names = {
        c.name for c in recognise("", "ALS was measured in 12 patients.", vocabulary=vocabulary)
    }
    assert "Amyotrophic Lateral Sclerosis" not in names
    defined = "Amyotrophic lateral sclerosis (ALS) is rare. ALS progressed."
    concept = next(c for c in recognise("", defined, vocabulary=vocabulary))
    assert [e.text for e in concept.evidence] == ["Amyotrophic lateral sclerosis", "ALS", "ALS"]


def test_every_evidence_span_is_the_text_it_points_at(vocabulary, labelled):
    for article in labelled.values():
        title, abstract, keywords = read(article)
        texts = {"title": title, "abstract": abstract, "keywords": "; ".join(keywords)}
        for concept in recognise(title, abstract, keywords, vocabulary=vocabulary):
            assert concept.evidence
            for evidence in concept.evidence:
                assert texts[evidence.source][evidence.start : evidence.end] == evidence.text


def test_it_reports_one_concept_per_descriptor_and_role(vocabulary, labelled):
    for article in list(labelled.values())[:50]:
        concepts = recognise(*read(article), vocabulary=vocabulary)
        keys = [(c.ui, c.role) for c in concepts]
        assert len(keys) == len(set(keys))


def test_it_folds_plurals_hyphens_possessives_and_accents():
    assert [w.norm for w in t.tokens("Crohn's diseases")] == ["crohn", "disease"]
    assert [w.norm for w in t.tokens("graft-versus-host")] == ["graft", "versus", "host"]
    assert [w.norm for w in t.tokens("Sjögren neuropathies")] == ["sjogren", "neuropathy"]
    assert [w.norm for w in t.tokens("AIDS NSAIDs")] == ["aids", "nsaid"]
    assert [w.broken for w in t.tokens("lung, disease")] == [False, True]
    assert [w.norm for w in t.tokens("haemorrhage, oedema, tumours")] == [
        "hemorrhage",
        "edema",
        "tumor",
    ]
    (joined,) = t.tokens("hyper-calciuria")
    assert (joined.norm, joined.start, joined.end) == ("hypercalciuria", 0, 15)


def test_it_drops_one_possessive_and_joins_prefixes_as_it_did_word_by_word():
    # tokenise() folds possessives and prefixes after splitting the whole text; these are
    # the tokens the word-by-word version it replaced gave (a second "'s" stays a word).
    def spans(text):
        return [(w.start, w.end, w.text, w.norm, w.broken) for w in t.tokens(text)]

    assert spans("Crohn's's disease") == [
        (0, 5, "Crohn", "crohn", False),
        (8, 9, "s", "s", False),
        (10, 17, "disease", "disease", False),
    ]
    assert spans("anti-TNF of non-Hodgkin's lymphoma") == [
        (0, 8, "anti-TNF", "antitnf", False),
        (9, 11, "of", "of", False),
        (12, 23, "non-Hodgkin", "nonhodgkin", False),
        (26, 34, "lymphoma", "lymphoma", False),
    ]
    assert spans("Sj\u00f6gren\u2019s syndrome, pre-s") == [
        (0, 7, "Sj\u00f6gren", "sjogren", False),
        (10, 18, "syndrome", "syndrome", False),
        (20, 25, "pre-s", "pre", True),
    ]


def test_it_reads_a_misdiagnosis_as_not_the_patients_disease(vocabulary):
    abstract = "A boy with a leukaemoid reaction was misdiagnosed as having leukaemia."
    (leukemia,) = [
        c for c in recognise("", abstract, vocabulary=vocabulary) if c.name == "Leukemia"
    ]
    assert (leukemia.name, leukemia.negated) == ("Leukemia", True)


def test_it_reads_a_supplementary_record_as_its_descriptor(vocabulary):
    abstract = "The patient was treated with tocilizumab 8 mg/kg."
    (concept,) = [c for c in recognise("", abstract, vocabulary=vocabulary) if c.role == "therapy"]
    assert (concept.ui, concept.name) == ("D061067", "Antibodies, Monoclonal, Humanized")
    assert (concept.evidence[0].supplementary_ui, concept.evidence[0].text) == (
        "C502936",
        "tocilizumab",
    )


def test_it_loads_the_vocabulary_it_saved(vocabulary, tmp_path):
    vocabulary.save(tmp_path, "copy")
    loaded = Vocabulary.load(tmp_path, "copy")
    text = "Intravenous immunoglobulin for dermatomyositis"
    assert [c.ui for c in recognise(text, "", vocabulary=loaded)] == [
        c.ui for c in recognise(text, "", vocabulary=vocabulary)
    ]


@pytest.mark.parametrize(
    ("abstract", "disease"),
    [
        ("She had a dislocation of the hips.", "Hip Dislocation"),
        (
            "He had ossification of the posterior longitudinal ligament.",
            "Ossification of Posterior Longitudinal Ligament",
        ),
        ("Both had chronic skin disorders since childhood.", "Skin Diseases"),
        ("The child was born with severe congenital anomalies.", "Congenital Abnormalities"),
        ("He had chronic renal disease.", "Kidney Diseases"),
    ],
)
def test_it_reads_a_term_as_an_abstract_words_it(vocabulary, abstract, disease):
    assert disease in by_role(recognise("", abstract, vocabulary=vocabulary))["disease"]


def test_it_does_not_reword_a_term_around_an_adjective(vocabulary):
    """ "Spinal Stenosis" is not "stenosis of the spinal" (canal)."""
    found = by_role(recognise("", "A stenosis of the spinal canal.", vocabulary=vocabulary))
    assert "Spinal Stenosis" not in found["disease"]


def test_it_reads_a_drug_named_as_a_treatment_as_a_therapy(vocabulary):
    abstract = "The target guided the titration of vasopressor therapy."
    assert (
        "Vasoconstrictor Agents"
        in by_role(recognise("", abstract, vocabulary=vocabulary))["therapy"]
    )


@pytest.mark.parametrize(
    "abstract",
    [
        "Infection with severe acute respiratory syndrome coronavirus 2 was confirmed.",
        "Antibodies against mumps virus were measured.",
        "Attendance fell during the measles epidemic.",
    ],
)
def test_it_does_not_read_a_disease_named_for_its_agent_or_epidemic(vocabulary, abstract):
    found = by_role(recognise("", abstract, vocabulary=vocabulary))["disease"]
    assert not {"Severe Acute Respiratory Syndrome", "Mumps", "Measles"} & set(found)


def test_it_reads_a_disease_named_with_its_virus_and_infection(vocabulary):
    abstract = "She had mumps virus infection."
    assert "Mumps" in by_role(recognise("", abstract, vocabulary=vocabulary))["disease"]


def test_it_reads_a_fungus_as_the_infection_named_after_it(vocabulary):
    abstract = "Candida glabrata was isolated from her blood cultures."
    assert "Candidiasis" in by_role(recognise("", abstract, vocabulary=vocabulary))["disease"]


def test_it_reads_words_clinicians_write_that_mesh_lacks(vocabulary):
    abstract = "She underwent mitral valve replacement and surgical resection of the mass."
    found = by_role(recognise("", abstract, vocabulary=vocabulary))["therapy"]
    assert {"Heart Valve Prosthesis Implantation", "Surgical Procedures, Operative"} <= set(found)


def test_it_reads_feeding_for_nutrition_and_an_organ_by_its_adjective(vocabulary):
    abstract = "She received total parenteral feeding after dental extractions."
    found = by_role(recognise("", abstract, vocabulary=vocabulary))["therapy"]
    assert {"Parenteral Nutrition, Total", "Tooth Extraction"} <= set(found)
