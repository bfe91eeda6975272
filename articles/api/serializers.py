"""API representations. The detail is ``articles.export.article_to_dict`` as is (the same
record the JSONL export writes); these serializers describe it for the OpenAPI schema and
shape the list rows."""

from rest_framework import serializers
from rest_framework.reverse import reverse

from articles.citations import short_authors, source_line
from articles.models import Article


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


class ArticleRecordSerializer(serializers.Serializer):
    """The complete record; field meanings are in the README's "Export fields" table."""

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


class ArticleSummarySerializer(serializers.ModelSerializer):
    """A list row: what the list page shows, plus links."""

    authors = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    class Meta:
        model = Article
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
        ]

    def get_authors(self, article: Article) -> str:
        return short_authors(article.first_authors, complete=article.authors_complete)

    def get_source(self, article: Article) -> str:
        return source_line(article)

    def get_url(self, article: Article) -> str:
        return reverse("api:article-detail", args=[article.pmid], request=self.context["request"])

    def get_html_url(self, article: Article) -> str:
        return self.context["request"].build_absolute_uri(article.get_absolute_url())


class MeshLookupQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, allow_blank=True, help_text="Part of a name.")


class MeshTermSerializer(serializers.Serializer):
    ui = serializers.CharField(help_text="MeSH descriptor UI, e.g. D003882.")
    name = serializers.CharField()
    articles = serializers.IntegerField(help_text="Visible articles indexed with it.")
