"""The PubMed query parser (articles.search.query): no database, the parsed form as text."""

import pytest

from articles.search.query import MAX_TERMS, Bool, Term, parse
from articles.search.text import tokens


@pytest.mark.parametrize(
    ("query", "form"),
    [
        # terms, AND by default
        ("dermatomyositis", "dermatomyositis"),
        ("interstitial lung disease", "(interstitial AND lung AND disease)"),
        # phrases
        ('"interstitial lung disease"', '"interstitial lung disease"'),
        # operators, left to right as PubMed applies them
        ("myositis AND lung", "(myositis AND lung)"),
        ("myositis OR myopathy", "(myositis OR myopathy)"),
        ("myositis NOT review", "(myositis NOT review)"),
        ("a OR b AND c", "((a OR b) AND c)"),
        ("a NOT b NOT c", "(a NOT b NOT c)"),
        # parentheses
        ("a OR (b AND c)", "(a OR (b AND c))"),
        ("(myositis OR myopathy) lung", "((myositis OR myopathy) AND lung)"),
        # truncation
        ("immun*", "immun*"),
        ('"lung disease*"', '"lung disease"*'),
    ],
)
def test_it_parses_each_syntax_element(query, form):
    parsed = parse(query)

    assert str(parsed) == form
    assert parsed.note == ""


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("IVIG[ti]", "IVIG[ti]"),
        ("IVIG[ab]", "IVIG[ab]"),
        ("IVIG[tiab]", "IVIG[tiab]"),
        ("Suzuki Y[au]", '"Suzuki Y"[au]'),
        ("Suzuki Y[1au]", "Suzuki Y[1au]"),
        ("Tokyo[ad]", "Tokyo[ad]"),
        ("interstitial lung disease[mh]", "interstitial lung disease[mh]"),
        ("dermatomyositis[majr]", "dermatomyositis[majr]"),
        ("dermatomyositis[mh:noexp]", "dermatomyositis[mh:noexp]"),
        ("case reports[pt]", "case reports[pt]"),
        ("N Engl J Med[ta]", "N Engl J Med[ta]"),
        ("english[la]", "english[la]"),
        ("2005[dp]", "2005[dp]"),
        ("2005:2010[dp]", "2005:2010[dp]"),
        ("19387736[pmid]", "19387736[pmid]"),
        ("10.1186/s41021-024-00311-x[doi]", "10.1186/s41021-024-00311-x[doi]"),
        # PubMed's long names, any case, with spaces inside the brackets
        ("IVIG[Title/Abstract]", "IVIG[tiab]"),
        ("Suzuki Y [Author]", '"Suzuki Y"[au]'),
        ("dermatomyositis[MeSH Terms]", "dermatomyositis[mh]"),
        ("dermatomyositis[MeSH Major Topic]", "dermatomyositis[majr]"),
        ("review[Publication Type]", "review[pt]"),
        ("Lung[Journal]", "Lung[ta]"),
        ("2005[Publication Date]", "2005[dp]"),
        ('"lung disease"[ti]', '"lung disease"[ti]'),
        ("heart attack[title]", '"heart attack"[ti]'),
    ],
)
def test_it_reads_each_field_tag(query, form):
    assert str(parse(query)) == form


def test_it_reads_the_issue_example_as_pubmed_does():
    parsed = parse("IVIG[tiab] AND dermatomyositis[mh] NOT review[pt]")

    assert parsed.node == Bool(
        "NOT",
        (
            Bool("AND", (Term("IVIG", "tiab"), Term("dermatomyositis", "mh"))),
            Term("review", "pt"),
        ),
    )


def test_a_tag_applies_to_the_words_since_the_last_operator():
    assert str(parse("myositis AND Suzuki Y[au]")) == '(myositis AND "Suzuki Y"[au])'
    assert str(parse("(lung) Suzuki Y[au]")) == '(lung AND "Suzuki Y"[au])'


def test_it_reads_a_bare_number_as_a_pmid():
    parsed = parse("19387736")

    assert parsed.node == Term("19387736", "pmid")
    assert parsed.note == "Read as a PMID."


def test_it_reads_several_bare_numbers_as_a_list_of_pmids():
    parsed = parse("19387736 21813367")

    assert str(parsed) == "(19387736[pmid] OR 21813367[pmid])"
    assert parsed.note == "Read as a list of PMIDs."


def test_a_number_among_words_stays_a_word():
    assert str(parse("covid 19")) == "(covid AND 19)"


@pytest.mark.parametrize(
    ("query", "form", "note"),
    [
        (
            "interstitial lung disease in dermatomyositis",
            "(interstitial AND lung AND disease AND dermatomyositis)",
            "Did not search common words, as PubMed does not: in.",
        ),
        (
            "use of IVIG and the lung",
            "(IVIG AND lung)",
            "Did not search common words, as PubMed does not: use, of, and, the.",
        ),
        # searched: in quotes, tagged, standing alone, a run of nothing else, single letters
        ('"disease in children"', '"disease in children"', ""),
        ("treatment of the lung[tiab]", '"treatment of the lung"[tiab]', ""),
        ("the", "the", ""),
        ("lung AND (the OR heart)", "(lung AND (the OR heart))", ""),
        ("of the", "(of AND the)", ""),
        ("vitamin A deficiency", "(vitamin AND A AND deficiency)", ""),
    ],
)
def test_it_skips_pubmeds_stopwords_among_other_words(query, form, note):
    parsed = parse(query)

    assert str(parsed) == form
    assert parsed.note == note


@pytest.mark.parametrize(
    ("query", "form", "note"),
    [
        ('"lung disease', '"lung disease"', "Closed an unbalanced quote at the end of the query."),
        ("(myositis OR myopathy", "(myositis OR myopathy)", "Closed an unbalanced ( at the end"),
        ("myositis OR myopathy)", "(myositis OR myopathy)", "Ignored a ) without its (."),
        ("AND", "", "Ignored AND at the start: it needs a term before it."),
        ("NOT review", "review", "Ignored NOT at the start"),
        ("myositis AND", "myositis", "Ignored AND at the end: it needs a term after it."),
        ("myositis AND OR lung", "(myositis OR lung)", "Ignored AND followed by OR: used OR."),
        ("e. coli", '"e. coli"', 'Read e. coli as the phrase "e. coli".'),
        ("?!... ;;", "", "Ignored '?!...': no letters or digits to search for."),
        ('""', "", "Nothing to search for: the query has no words or numbers."),
        ("cancer[foo]", "cancer", "Unknown field [foo]: searched in all fields."),
        ("[ti]", "", "Ignored the field tag [ti]: it follows no term."),
        ("cancer[ti", "cancer[ti]", "Closed an unbalanced [ at the end of the query."),
        ("cancer]", "cancer", "Ignored a ] without its [."),
        ("()", "", "Nothing to search for"),
        ("im*mun", '"im mun"', "Ignored * inside 'im*mun'"),
    ],
)
def test_it_repairs_bad_syntax_and_says_how(query, form, note):
    parsed = parse(query)

    assert str(parsed) == form
    assert parsed.note.startswith(note)


def test_it_keeps_words_inside_punctuation():
    assert str(parse("(e.g. covid-19, IL-6)")) == "(e.g AND covid-19 AND IL-6)"
    assert tokens("covid-19") == ["covid", "19"]


def test_it_cuts_a_5000_character_query_to_its_first_terms():
    query = " ".join(["myositis"] * 1000)[:5000]

    parsed = parse(query)

    assert len(parsed.terms()) == MAX_TERMS
    assert parsed.note == f"The query is long: only its first {MAX_TERMS} terms were searched."


def test_it_survives_thousands_of_parentheses():
    parsed = parse("(" * 3000 + "myositis" + ")" * 3000)

    assert str(parsed) == "myositis"
    assert "Ignored parentheses nested deeper than 20." in parsed.note


def test_it_never_raises_on_garbage():
    for query in ['"', "(", ")", "[", "]", "*", "AND OR NOT", '"(" [)]', "\x00\ufffd", " " * 5000]:
        parse(query)


def test_control_characters_are_spaces():
    assert str(parse("Lung\x00[ta] myo\x07sitis")) == "(Lung[ta] AND myo AND sitis)"


def test_tokens_fold_case_and_accents():
    assert tokens("Sjögren's SYNDROME") == ["sjogren", "s", "syndrome"]
    assert tokens("IL-6 in E. coli") == ["il", "6", "in", "e", "coli"]
