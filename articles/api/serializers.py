"""API representations. The detail is ``articles.exports.records.article_to_dict`` as is (the same
record the JSONL export writes); these serializers describe it for the OpenAPI schema and
shape the list rows."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from articles import curated
from articles.exports.pubmed_style import short_authors, source_line
from articles.exports.records import related_or_none
from articles.models import Article, ArticleConcept, CaseFacts, Curation


class JournalSerializer(serializers.Serializer):
    title = serializers.CharField()
    iso_abbreviation = serializers.CharField()
    medline_ta = serializers.CharField()
    issn_print = serializers.CharField()
    issn_electronic = serializers.CharField()
    issn_linking = serializers.CharField()
    nlm_unique_id = serializers.CharField()
    country = serializers.CharField()


class PubDateSerializer(serializers.Serializer):
    raw = serializers.CharField(help_text="The date as PubMed prints it, e.g. 1979 Nov-1980 May.")
    year = serializers.IntegerField(allow_null=True)
    month = serializers.IntegerField(allow_null=True)
    day = serializers.IntegerField(allow_null=True)
    precision = serializers.ChoiceField(choices=Article.DatePrecision.choices)


class DatedSerializer(serializers.Serializer):
    type = serializers.CharField()
    date = serializers.CharField(allow_null=True, help_text="ISO 8601, as precise as PubMed.")


class IdentifierSerializer(serializers.Serializer):
    source = serializers.CharField()
    value = serializers.CharField()


class AffiliationSerializer(serializers.Serializer):
    text = serializers.CharField()
    identifiers = IdentifierSerializer(many=True)


class PersonSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    last_name = serializers.CharField()
    fore_name = serializers.CharField()
    initials = serializers.CharField()
    suffix = serializers.CharField()
    collective_name = serializers.CharField()
    orcid = serializers.CharField()
    identifiers = IdentifierSerializer(many=True)
    equal_contrib = serializers.BooleanField()
    valid = serializers.BooleanField()
    affiliations = AffiliationSerializer(many=True)


class SectionSerializer(serializers.Serializer):
    label = serializers.CharField()
    nlm_category = serializers.CharField()
    text = serializers.CharField()
    html = serializers.CharField()


class OtherAbstractSerializer(serializers.Serializer):
    type = serializers.CharField()
    language = serializers.CharField()
    copyright = serializers.CharField()
    sections = SectionSerializer(many=True)


class CodedNameSerializer(serializers.Serializer):
    ui = serializers.CharField()
    name = serializers.CharField()


class QualifierSerializer(CodedNameSerializer):
    major = serializers.BooleanField()


class MeshHeadingSerializer(CodedNameSerializer):
    major = serializers.BooleanField()
    type = serializers.CharField()
    qualifiers = QualifierSerializer(many=True)


class ConceptSerializer(CodedNameSerializer):
    type = serializers.CharField()


class SubstanceSerializer(CodedNameSerializer):
    registry_number = serializers.CharField()


class KeywordSerializer(serializers.Serializer):
    owner = serializers.CharField()
    major = serializers.BooleanField()
    text = serializers.CharField()


class GrantSerializer(serializers.Serializer):
    grant_id = serializers.CharField()
    acronym = serializers.CharField()
    agency = serializers.CharField()
    country = serializers.CharField()


class ArticleIdSerializer(serializers.Serializer):
    type = serializers.CharField()
    value = serializers.CharField()
    source = serializers.CharField()
    valid = serializers.BooleanField()


class CommentCorrectionSerializer(serializers.Serializer):
    ref_type = serializers.CharField()
    source = serializers.CharField()
    pmid = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()


class ReferenceIdSerializer(serializers.Serializer):
    type = serializers.CharField()
    value = serializers.CharField()


class ReferenceSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    citation = serializers.CharField()
    article_ids = ReferenceIdSerializer(many=True)
    pmid = serializers.IntegerField(allow_null=True)


class BookSerializer(serializers.Serializer):
    title = serializers.CharField()
    title_html = serializers.CharField()
    publisher_name = serializers.CharField()
    publisher_location = serializers.CharField()
    volume = serializers.CharField()
    edition = serializers.CharField()
    medium = serializers.CharField()
    collection_title = serializers.CharField()
    isbns = serializers.ListField(child=serializers.CharField())
    report_number = serializers.CharField()
    beginning_date = serializers.CharField(allow_null=True)
    ending_date = serializers.CharField(allow_null=True)


# What Casebook adds (articles.curated.casebook_block) -----------------------------------------


class EvidenceSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The fact this span supports, e.g. patient_count.")
    source = serializers.ChoiceField(choices=["title", "abstract"])
    start = serializers.IntegerField(help_text="Offset in the title or abstract text.")
    end = serializers.IntegerField()
    text = serializers.CharField(help_text="The words the value was read from.")


class CaseFactsSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CaseFacts.Kind.choices)
    patient_count = serializers.IntegerField(allow_null=True)
    male_count = serializers.IntegerField(allow_null=True)
    female_count = serializers.IntegerField(allow_null=True)
    reviewed_count = serializers.IntegerField(
        allow_null=True,
        help_text="Cases from the literature the article reviews beside its own (kept apart "
        "from patient_count).",
    )
    age_min_years = serializers.FloatField(allow_null=True)
    age_max_years = serializers.FloatField(allow_null=True)
    age_mean_years = serializers.FloatField(allow_null=True)
    age_median_years = serializers.FloatField(allow_null=True)
    has_child = serializers.BooleanField(help_text="A patient under 18.")
    has_adult = serializers.BooleanField(help_text="A patient from 18 to 64.")
    has_older_adult = serializers.BooleanField(help_text="A patient of 65 or more.")
    corrected = serializers.ListField(
        child=serializers.CharField(),
        help_text="The facts a curator corrected; the others are the rules' reading.",
    )
    evidence = EvidenceSerializer(many=True)
    rules_version = serializers.CharField()


class ConceptEvidenceSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=["title", "abstract", "keywords"])
    start = serializers.IntegerField(help_text="Offset in the title, abstract or keywords.")
    end = serializers.IntegerField()
    text = serializers.CharField(help_text="The words that name the concept.")


class CasebookConceptSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ArticleConcept.Role.choices)
    ui = serializers.CharField(help_text="MeSH descriptor UI.")
    name = serializers.CharField(help_text="The descriptor's name (its UI if MeSH lacks it).")
    source = serializers.ChoiceField(choices=ArticleConcept.Source.choices)
    major = serializers.BooleanField()
    prior = serializers.BooleanField(
        help_text="A therapy the text says the patients had before (refractory to it)."
    )
    curated = serializers.BooleanField(help_text="A curator added or confirmed it.")
    evidence = ConceptEvidenceSerializer(
        many=True, help_text="Where the title, abstract or keywords name it (source text)."
    )


class CorrectionSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="What was corrected: title, abstract:0, ...")
    value = serializers.CharField(allow_blank=True, help_text="The curator's value.")
    original = serializers.CharField(
        allow_blank=True, help_text="PubMed's (or the rules') value when it was corrected."
    )
    needs_review = serializers.BooleanField(
        help_text="PubMed's value changed since; a curator has yet to look."
    )


class CasebookSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Curation.Status.choices)
    facts = CaseFactsSerializer(allow_null=True)
    concepts = CasebookConceptSerializer(many=True)
    corrections = CorrectionSerializer(many=True)


class CasebookSummarySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Curation.Status.choices)
    kind = serializers.ChoiceField(choices=CaseFacts.Kind.choices, allow_null=True)
    patient_count = serializers.IntegerField(allow_null=True)
    diseases = serializers.ListField(child=serializers.CharField())
    therapies = serializers.ListField(child=serializers.CharField())


# The record ----------------------------------------------------------------------------------


class ArticleRecordSerializer(serializers.Serializer):
    """The complete record: PubMed's, as stored (docs/export-fields.md), with what Casebook
    adds under ``casebook``. A curator's correction of PubMed's text is in
    ``casebook.corrections`` (with PubMed's original); the fields above it stay PubMed's.
    Citation formats show the corrected text."""

    pmid = serializers.IntegerField()
    version = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Article.Kind.choices)
    title = serializers.CharField()
    title_html = serializers.CharField()
    vernacular_title = serializers.CharField()
    journal = JournalSerializer(allow_null=True)
    volume = serializers.CharField()
    issue = serializers.CharField()
    pagination = serializers.CharField()
    start_page = serializers.CharField()
    end_page = serializers.CharField()
    pub_date = PubDateSerializer()
    epub_date = serializers.DateField(allow_null=True)
    article_dates = DatedSerializer(many=True)
    history = DatedSerializer(many=True)
    date_completed = serializers.DateField(allow_null=True)
    date_revised = serializers.DateField(allow_null=True)
    citation_status = serializers.CharField()
    citation_owner = serializers.CharField()
    publication_status = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    abstract = SectionSerializer(many=True)
    abstract_copyright = serializers.CharField()
    other_abstracts = OtherAbstractSerializer(many=True)
    authors = PersonSerializer(many=True)
    editors = PersonSerializer(many=True)
    investigators = PersonSerializer(many=True)
    authors_complete = serializers.BooleanField()
    publication_types = CodedNameSerializer(many=True)
    mesh_headings = MeshHeadingSerializer(many=True)
    supplementary_concepts = ConceptSerializer(many=True)
    substances = SubstanceSerializer(many=True)
    keywords = KeywordSerializer(many=True)
    grants = GrantSerializer(many=True)
    article_ids = ArticleIdSerializer(many=True)
    doi = serializers.CharField()
    pmcid = serializers.CharField()
    comments_corrections = CommentCorrectionSerializer(many=True)
    references = ReferenceSerializer(many=True)
    citation_subsets = serializers.ListField(child=serializers.CharField())
    coi_statement = serializers.CharField()
    book = BookSerializer(allow_null=True)
    is_retracted = serializers.BooleanField()
    casebook = CasebookSerializer(
        help_text="Casebook's values: case facts with their evidence, diseases, therapies and "
        "causes with their sources, the curation status and curators' corrections."
    )


class ArticleSummarySerializer(serializers.ModelSerializer):
    """A list row: what the list page shows, curators' corrections included, plus links."""

    authors = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    casebook = serializers.SerializerMethodField()

    class Meta:
        model = Article
        # A chosen set, the list page's columns; DRF refuses a name the model lacks.
        fields = [
            "pmid",
            "kind",
            "title",
            "authors",
            "source",
            "pub_year",
            "doi",
            "pmcid",
            "has_abstract",
            "is_retracted",
            "url",
            "html_url",
            "casebook",
        ]

    def get_authors(self, article: Article) -> str:
        return short_authors(article.first_authors, complete=article.authors_complete)

    def get_source(self, article: Article) -> str:
        return source_line(article)

    def get_url(self, article: Article) -> str:
        return reverse("api:article-detail", args=[article.pmid], request=self.context["request"])

    def get_html_url(self, article: Article) -> str:
        return self.context["request"].build_absolute_uri(article.get_absolute_url())

    @extend_schema_field(CasebookSummarySerializer)
    def get_casebook(self, article: Article) -> dict:
        # The list view reads facts and curation with the rows and prefetches the concepts.
        return curated.casebook_summary(
            facts=related_or_none(article, "facts"),
            concepts=article.row_concepts,
            curation=related_or_none(article, "curation"),
        )


class MeshLookupQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, allow_blank=True, help_text="Part of a name.")


class MeshTermSerializer(serializers.Serializer):
    ui = serializers.CharField(help_text="MeSH descriptor UI, e.g. D003882.")
    name = serializers.CharField()
    articles = serializers.IntegerField(
        help_text="Visible articles with it as a MeSH heading or a concept (found in the text or "
        "added by a curator, not removed by one)."
    )
