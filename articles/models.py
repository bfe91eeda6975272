"""The PubMed record, mirrored, plus what curators own.

Source tables (everything but ``Curation``) are written only by ``articles.ingest.files`` and are
replaced wholesale when PubMed sends a new version. Curator-owned data lives in its own
tables keyed by PMID so that no ingest can overwrite it.
"""

import json
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords


class Journal(models.Model):
    key = models.TextField(unique=True)  # records.Journal.key
    title = models.TextField(blank=True)
    iso_abbreviation = models.TextField(blank=True)
    medline_ta = models.TextField(blank=True)
    issn_print = models.CharField(max_length=20, blank=True)
    issn_electronic = models.CharField(max_length=20, blank=True)
    issn_linking = models.CharField(max_length=20, blank=True)
    nlm_unique_id = models.CharField(max_length=30, blank=True)
    country = models.TextField(blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.iso_abbreviation or self.medline_ta or self.title or self.key

    @property
    def short_title(self) -> str:
        return self.iso_abbreviation or self.medline_ta or self.title


class MeshDescriptor(models.Model):
    ui = models.CharField(max_length=16, primary_key=True)
    name = models.TextField()

    class Meta:
        ordering = ["name"]
        verbose_name = "MeSH descriptor"
        indexes = [
            # Search's term mapping looks up many phrases by name at once, case-insensitively.
            models.Index(Lower("name"), name="meshdescriptor_lower_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class MeshTreeNumber(models.Model):
    """One position of a descriptor in the MeSH tree (``load_mesh``). A descriptor's narrower
    terms are the descriptors whose tree numbers start with one of its own plus a dot."""

    number = models.CharField(max_length=64, primary_key=True)  # e.g. C08.381.483
    descriptor = models.ForeignKey(
        MeshDescriptor, on_delete=models.CASCADE, related_name="tree_numbers"
    )

    class Meta:
        ordering = ["number"]
        verbose_name = "MeSH tree number"
        indexes = [models.Index(fields=["descriptor"], name="meshtree_descriptor_idx")]

    def __str__(self) -> str:
        return self.number


class MeshEntryTerm(models.Model):
    """A synonym of a descriptor (``load_mesh``), e.g. "IVIG" for Immunoglobulins, Intravenous."""

    descriptor = models.ForeignKey(
        MeshDescriptor, on_delete=models.CASCADE, related_name="entry_terms"
    )
    term = models.TextField()
    normalized = models.CharField(max_length=255)  # casefolded, for look-up and typeahead

    class Meta:
        ordering = ["descriptor_id", "term"]
        verbose_name = "MeSH entry term"
        indexes = [models.Index(fields=["normalized"], name="meshentry_normalized_idx")]

    def __str__(self) -> str:
        return self.term


class MeshQualifier(models.Model):
    ui = models.CharField(max_length=16, primary_key=True)
    name = models.TextField()

    class Meta:
        ordering = ["name"]
        verbose_name = "MeSH qualifier"

    def __str__(self) -> str:
        return self.name


class PublicationType(models.Model):
    ui = models.CharField(max_length=16, primary_key=True)
    name = models.TextField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def in_language(code: str) -> models.Q:
    """Articles with ``code`` (ISO 639-2, lower case, as PubMed stores it) among their
    ``languages``, a JSON list. On PostgreSQL, jsonb containment, which the planner estimates
    from the column's statistics: for a LIKE on the text it guessed 0.07% of articles English
    (90% are) and drove ``blood AND english[la]`` at 1,000,000 from the articles, probing the
    search index for each (1.8 s, now 0.45). SQLite has no containment on JSON; the list's
    text holds each code in quotes."""
    if connection.vendor == "postgresql":
        return models.Q(languages__contains=[code])
    return models.Q(languages__icontains=f'"{code}"')


def in_pks(pks: list[int]) -> RawSQL:
    """``pks`` as one parameter for ``field__in=``: thousands of PMIDs without thousands of
    bound parameters, and without re-running the filters in every query that reads them."""
    if connection.vendor == "postgresql":
        # An array literal as one text parameter: psycopg adapting a list of 2,000 ints
        # element by element took 4 ms a query.
        return RawSQL("SELECT unnest(%s::integer[])", ("{" + ",".join(map(str, pks)) + "}",))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(pks),))


# The facets' sample of a large result (articles.browse.facets): an article's bucket is its PMID
# modulo this, which nothing a facet counts depends on.
SAMPLE_BUCKETS = 1024


def sample_bucket() -> models.Expression:
    """An article's sample bucket, ``pmid % SAMPLE_BUCKETS``. The divisor is written into the
    SQL: as a bound parameter it would not match article_sample_idx's expression on SQLite."""
    divisor = models.expressions.RawSQL(str(SAMPLE_BUCKETS), (), output_field=models.IntegerField())
    return models.F("pmid") % divisor


class ArticleQuerySet(models.QuerySet):
    def visible(self) -> "ArticleQuerySet":
        """Articles the public may browse: not withdrawn by a PubMed DeleteCitation."""
        return self.filter(deleted_at__isnull=True)

    def public(self) -> "ArticleQuerySet":
        """What the public list shows: visible, not excluded by a curator, not blocklisted."""
        # NOT EXISTS on the two indexed tables, not an exclude() across the relation: that
        # gives "NOT (... OR pmid IN (...))", which PostgreSQL cannot turn into an anti-join, so
        # it read all the articles (a seq scan of 1,000,000 rows) whatever the other filters.
        excluded = Curation.objects.filter(
            article=models.OuterRef("pk"), status=Curation.Status.EXCLUDED
        )
        blocked = BlockedPMID.objects.filter(pmid=models.OuterRef("pk"))
        return self.visible().filter(~models.Exists(excluded), ~models.Exists(blocked))

    def for_list(self) -> "ArticleQuerySet":
        """What a list row shows: journal and the first authors, in two queries whatever the
        page size or the length of author lists. ``first_authors`` holds one author more than
        a row names, which is how the row knows to add "et al."."""
        from articles.exports.pubmed_style import SHORT_AUTHOR_LIMIT

        # What ``Author.short_name`` reads, and the prefetch's join column: no identifiers.
        short_name_fields = (
            "article_id",
            "position",
            "last_name",
            "initials",
            "suffix",
            "collective_name",
        )

        return (
            self.select_related("journal")
            .with_elocation_pii()
            .prefetch_related(
                models.Prefetch(
                    "authors",
                    queryset=Author.objects.filter(role=Author.Role.AUTHOR)
                    .only(*short_name_fields)
                    .order_by("position")[: SHORT_AUTHOR_LIMIT + 1],
                    to_attr="first_authors",
                ),
            )
        )

    def with_elocation_pii(self) -> "ArticleQuerySet":
        """``elocation_pii``: the electronic page number (ELocationID EIdType="pii") that
        PubMed cites in place of pages when an online-only article has no MedlinePgn."""
        return self.annotate(
            elocation_pii=models.Subquery(
                ArticleId.objects.filter(
                    article=models.OuterRef("pk"),
                    source=ArticleId.Source.ELOCATION,
                    id_type="pii",
                )
                .order_by("position")
                .values("value")[:1]
            )
        )

    def for_detail(self) -> "ArticleQuerySet":
        """Everything the article page shows, in a fixed number of queries however long the
        record. Each prefetch sorts by position alone: its rows all belong to this article.

        ``cited_visible`` / ``target_visible`` say whether a cited record or a correction
        notice is stored and visible, so a page links locally only to what it can show. They
        are subqueries rather than a prefetch of ``cited``: Django 5.2 prefetches a foreign
        key on SQLite as one OR term per value, and a review citing 1,000+ PMIDs then fails
        with "Expression tree is too large"."""
        return (
            self.select_related("journal", "facts")
            .with_elocation_pii()
            .prefetch_related(
                models.Prefetch("authors", queryset=Author.objects.order_by("role", "position")),
                models.Prefetch(
                    "authors__affiliations", queryset=Affiliation.objects.order_by("position")
                ),
                models.Prefetch(
                    "abstract_sections", queryset=AbstractSection.objects.order_by("position")
                ),
                models.Prefetch(
                    "mesh_headings",
                    queryset=MeshHeading.objects.select_related("descriptor").order_by("position"),
                ),
                models.Prefetch(
                    "mesh_headings__qualifiers",
                    queryset=MeshHeadingQualifier.objects.select_related("qualifier").order_by(
                        "position"
                    ),
                ),
                models.Prefetch(
                    "article_publication_types",
                    queryset=ArticlePublicationType.objects.select_related(
                        "publication_type"
                    ).order_by("position"),
                ),
                models.Prefetch(
                    "supplementary_concepts",
                    queryset=SupplementaryConcept.objects.order_by("position"),
                ),
                models.Prefetch("substances", queryset=Substance.objects.order_by("position")),
                # The case-facts panel: concepts by role; facts come with select_related.
                models.Prefetch(
                    "concepts",
                    queryset=ArticleConcept.objects.effective().order_by("role", "descriptor_id"),
                ),
                models.Prefetch("keywords", queryset=Keyword.objects.order_by("position")),
                models.Prefetch("grants", queryset=Grant.objects.order_by("position")),
                models.Prefetch("ids", queryset=ArticleId.objects.order_by("position")),
                models.Prefetch(
                    "references",
                    queryset=Reference.objects.order_by("position").annotate(
                        cited_visible=models.Exists(
                            Article.objects.visible().filter(pk=models.OuterRef("cited_id"))
                        )
                    ),
                ),
                models.Prefetch(
                    "comments_corrections",
                    queryset=CommentCorrection.objects.order_by("position").annotate(
                        target_visible=models.Exists(
                            Article.objects.visible().filter(pk=models.OuterRef("target_id"))
                        )
                    ),
                ),
            )
        )


class Article(models.Model):
    class Kind(models.TextChoices):
        ARTICLE = "article", "Journal article"
        BOOK = "book", "Book or chapter"

    class DatePrecision(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"
        SEASON = "season", "Season"
        RANGE = "range", "Range (MedlineDate)"
        YEAR = "year", "Year"
        UNKNOWN = "", "Unknown"

    pmid = models.PositiveIntegerField("PMID", primary_key=True)
    version = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ARTICLE)
    title_html = models.TextField(blank=True)
    title = models.TextField(blank=True)
    vernacular_title = models.TextField(blank=True)
    journal = models.ForeignKey(
        Journal, null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    volume = models.TextField(blank=True)
    issue = models.TextField(blank=True)
    pagination = models.TextField(blank=True)
    start_page = models.TextField(blank=True)
    end_page = models.TextField(blank=True)
    pub_date_raw = models.TextField("publication date as written", blank=True)
    pub_year = models.PositiveSmallIntegerField(null=True, blank=True)
    pub_month = models.PositiveSmallIntegerField(null=True, blank=True)
    pub_day = models.PositiveSmallIntegerField(null=True, blank=True)
    pub_date_precision = models.CharField(max_length=10, choices=DatePrecision.choices, blank=True)
    pub_date = models.DateField("publication date (first day, for sorting)", null=True)
    epub_date = models.DateField("electronic publication date", null=True, blank=True)
    citation_status = models.CharField(max_length=40, blank=True)
    citation_owner = models.CharField(max_length=20, blank=True)
    publication_status = models.CharField(max_length=40, blank=True)
    languages = models.JSONField(default=list, blank=True)
    has_abstract = models.BooleanField(default=False)
    abstract_copyright = models.TextField(blank=True)
    other_abstracts = models.JSONField(default=list, blank=True)
    book = models.JSONField(null=True, blank=True)
    authors_complete = models.BooleanField(default=True)
    article_dates = models.JSONField(default=list, blank=True)
    history = models.JSONField(default=list, blank=True)
    date_completed = models.DateField(null=True, blank=True)
    date_revised = models.DateField(null=True, blank=True)
    citation_subsets = models.JSONField(default=list, blank=True)
    coi_statement = models.TextField(blank=True)
    is_retracted = models.BooleanField(default=False)
    doi = models.TextField("DOI", blank=True)
    pmcid = models.CharField("PMCID", max_length=20, blank=True)
    # The record as PubMed sent it is kept apart, compressed, in ArticleSource; its hash here
    # tells an unchanged record from a new one without reading it.
    source_hash = models.CharField(max_length=40, editable=False)
    source_file = models.TextField(blank=True)
    # Where the stored record stands among every record of this PMID (``ingest.source_key``):
    # compared with an incoming record's so that files applied in any order end as in
    # file-name order.
    source_key = models.TextField(blank=True, default="", editable=False)
    source_position = models.PositiveIntegerField(default=0, editable=False)
    first_ingested_at = models.DateTimeField()
    last_changed_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-pub_date", "-pmid"]
        indexes = [
            # The default list order: newest first.
            models.Index(fields=["-pub_date", "-pmid"], name="article_pub_date_idx"),
            # Saved searches' alerts and feeds (articles.alerts): the latest arrivals first.
            models.Index(fields=["-first_ingested_at", "-pmid"], name="article_arrived_idx"),
            # Year facet and year-range filter.
            models.Index(fields=["pub_year"], name="article_pub_year_idx"),
            # DOI look-ups (/api, reference resolution).
            models.Index(fields=["doi"], name="article_doi_idx"),
            # Search: visible() for each full-text hit from the index alone, without reading
            # the row (on SQLite, deleted_at sits behind the source XML's overflow pages).
            models.Index(fields=["pmid", "deleted_at"], name="article_visible_idx"),
            # The list's default order over visible articles, index-only up to the page's
            # PMIDs (deep pages skip index entries, not rows).
            models.Index(
                fields=["-pub_date", "-pmid"],
                condition=models.Q(deleted_at__isnull=True),
                name="article_visible_date_idx",
            ),
            # List facets (articles.browse.facets) and filters by PMID (a disease's articles): the
            # columns counted and sorted on, without reading the wide article rows. deleted_at
            # too: SQLite reads a partial index's condition column from the row otherwise.
            models.Index(
                fields=[
                    "pmid",
                    "pub_date",
                    "pub_year",
                    "journal",
                    "has_abstract",
                    "is_retracted",
                    "languages",
                    "deleted_at",
                ],
                condition=models.Q(deleted_at__isnull=True),
                name="article_visible_facets_idx",
            ),
            # The facets' sample of a large result: the visible articles of the first sample
            # buckets from the index alone, with the date a year range tests.
            models.Index(
                sample_bucket(),
                models.F("pmid"),
                models.F("pub_date"),
                models.F("deleted_at"),
                condition=models.Q(deleted_at__isnull=True),
                name="article_sample_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="article_version_gte_1"
            ),
            models.CheckConstraint(
                condition=models.Q(pub_month__isnull=True)
                | models.Q(pub_month__gte=1, pub_month__lte=12),
                name="article_pub_month_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pmid}: {self.title[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"pmid": self.pmid})

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def source_xml_text(self) -> str:
        """The record as PubMed sent it, or "" when ingest was told not to keep it."""
        source = ArticleSource.objects.filter(article_id=self.pk).first()
        return source.text() if source else ""


class ArticleSource(models.Model):
    """The record exactly as PubMed sent it (zlib-compressed UTF-8), so that stored articles
    can be derived again (``manage.py extract_facts``) without fetching them. Apart from the
    article so that reading articles never touches it; ``CASEBOOK_KEEP_SOURCE_XML=0`` makes
    ingest skip it, for a mirror that will never re-derive."""

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="source"
    )
    xml = models.BinaryField()

    def __str__(self) -> str:
        return f"Source XML of PMID {self.article_id}"

    def text(self) -> str:
        return zlib.decompress(self.xml).decode("utf-8")


class AbstractSection(models.Model):
    article = models.ForeignKey(
        Article, db_index=False, on_delete=models.CASCADE, related_name="abstract_sections"
    )
    position = models.PositiveSmallIntegerField()
    label = models.TextField(blank=True)
    nlm_category = models.CharField(max_length=40, blank=True)
    html = models.TextField(blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["article_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="abstractsection_unique"),
        ]

    def __str__(self) -> str:
        return self.label or f"Section {self.position + 1}"


class Author(models.Model):
    class Role(models.TextChoices):
        AUTHOR = "author", "Author"
        EDITOR = "editor", "Editor"
        INVESTIGATOR = "investigator", "Investigator"

    article = models.ForeignKey(
        Article, db_index=False, on_delete=models.CASCADE, related_name="authors"
    )
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.AUTHOR)
    position = models.PositiveIntegerField()
    last_name = models.TextField(blank=True)
    fore_name = models.TextField(blank=True)
    initials = models.TextField(blank=True)
    suffix = models.TextField(blank=True)
    collective_name = models.TextField(blank=True)
    orcid = models.TextField("ORCID", blank=True)
    identifiers = models.JSONField(default=list, blank=True)  # [[source, value], ...]
    equal_contrib = models.BooleanField(default=False)
    valid = models.BooleanField(default=True)

    class Meta:
        ordering = ["article_id", "role", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "role", "position"], name="author_unique_position"
            ),
        ]
        indexes = [
            # Author search ([au]) and the first-author sort.
            models.Index(fields=["last_name", "initials"], name="author_name_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.collective_name:
            return self.collective_name
        return " ".join(p for p in (self.fore_name, self.last_name, self.suffix) if p)

    @property
    def short_name(self) -> str:
        """PubMed's short form: "Suzuki Y"."""
        if self.collective_name:
            return self.collective_name
        return " ".join(p for p in (self.last_name, self.initials, self.suffix) if p)


class Affiliation(models.Model):
    author = models.ForeignKey(
        Author, db_index=False, on_delete=models.CASCADE, related_name="affiliations"
    )
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    identifiers = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["author_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["author", "position"], name="affiliation_unique"),
        ]

    def __str__(self) -> str:
        return self.text[:100]


class MeshHeading(models.Model):
    article = models.ForeignKey(
        Article, db_index=False, on_delete=models.CASCADE, related_name="mesh_headings"
    )
    position = models.PositiveSmallIntegerField()
    descriptor = models.ForeignKey(
        MeshDescriptor, db_index=False, on_delete=models.PROTECT, related_name="headings"
    )
    major = models.BooleanField(default=False)
    descriptor_type = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["article_id", "position"]
        verbose_name = "MeSH heading"
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="meshheading_unique"),
        ]
        indexes = [
            # Disease/therapy filters: articles having a descriptor.
            models.Index(fields=["descriptor", "article"], name="meshheading_descriptor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.descriptor_id}{'*' if self.major else ''}"


class MeshHeadingQualifier(models.Model):
    heading = models.ForeignKey(
        MeshHeading, db_index=False, on_delete=models.CASCADE, related_name="qualifiers"
    )
    position = models.PositiveSmallIntegerField()
    qualifier = models.ForeignKey(
        MeshQualifier, db_index=False, on_delete=models.PROTECT, related_name="+"
    )
    major = models.BooleanField(default=False)

    class Meta:
        ordering = ["heading_id", "position"]
        verbose_name = "MeSH heading qualifier"
        constraints = [
            models.UniqueConstraint(fields=["heading", "position"], name="meshqualifier_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.qualifier_id}{'*' if self.major else ''}"


class ArticlePublicationType(models.Model):
    article = models.ForeignKey(
        Article, db_index=False, on_delete=models.CASCADE, related_name="article_publication_types"
    )
    position = models.PositiveSmallIntegerField()
    publication_type = models.ForeignKey(
        PublicationType, db_index=False, on_delete=models.PROTECT, related_name="article_links"
    )

    class Meta:
        ordering = ["article_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="articlepubtype_unique"),
        ]
        indexes = [
            # Publication-type filter (Case Reports, Review...).
            models.Index(fields=["publication_type", "article"], name="articlepubtype_type_idx"),
            # Publication-type facet counts over a set of articles, index-only.
            models.Index(fields=["article", "publication_type"], name="articlepubtype_article_idx"),
        ]

    def __str__(self) -> str:
        return self.publication_type_id


class SupplementaryConcept(models.Model):
    article = models.ForeignKey(
        Article, db_index=False, on_delete=models.CASCADE, related_name="supplementary_concepts"
    )
    position = models.PositiveSmallIntegerField()
    ui = models.CharField(max_length=16)
    name = models.TextField()
    type = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["article_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="suppconcept_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Substance(models.Model):
    """ChemicalList/Chemical: PubMed's "Substances"."""

    article = models.ForeignKey(
        Article, db_index=False, on_delete=models.CASCADE, related_name="substances"
    )
    position = models.PositiveSmallIntegerField()
    ui = models.CharField(max_length=16, blank=True)
    name = models.TextField()
    registry_number = models.TextField(blank=True)

    class Meta:
        ordering = ["article_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="substance_unique"),
        ]
        indexes = [
            # Therapy filter by substance.
            models.Index(fields=["ui", "article"], name="substance_ui_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Keyword(models.Model):
    article = models.ForeignKey(
        Article, db_index=False, on_delete=models.CASCADE, related_name="keywords"
    )
    position = models.PositiveSmallIntegerField()
    owner = models.CharField(max_length=20, blank=True)
    major = models.BooleanField(default=False)
    text = models.TextField()

    class Meta:
        ordering = ["article_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="keyword_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class Grant(models.Model):
    article = models.ForeignKey(
        Article, db_index=False, on_delete=models.CASCADE, related_name="grants"
    )
    position = models.PositiveSmallIntegerField()
    grant_id = models.TextField(blank=True)
    acronym = models.TextField(blank=True)
    agency = models.TextField(blank=True)
    country = models.TextField(blank=True)

    class Meta:
        ordering = ["article_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="grant_unique"),
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (self.grant_id, self.agency) if p)


class ArticleId(models.Model):
    class Source(models.TextChoices):
        ARTICLE_ID = "articleid", "ArticleIdList"
        ELOCATION = "elocation", "ELocationID"

    article = models.ForeignKey(
        Article, db_index=False, on_delete=models.CASCADE, related_name="ids"
    )
    position = models.PositiveSmallIntegerField()
    id_type = models.CharField(max_length=30)
    value = models.TextField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ARTICLE_ID)
    valid = models.BooleanField(default=True)

    class Meta:
        ordering = ["article_id", "position"]
        verbose_name = "article identifier"
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="articleid_unique"),
        ]
        indexes = [
            # DOI / PMCID / PII look-ups.
            models.Index(fields=["id_type", "value"], name="articleid_value_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.id_type}: {self.value}"


class Reference(models.Model):
    """ReferenceList/Reference. ``cited`` holds the cited PMID whether or not we have it:
    the link resolves as soon as that article is ingested, in either order."""

    article = models.ForeignKey(
        Article, db_index=False, on_delete=models.CASCADE, related_name="references"
    )
    position = models.PositiveIntegerField()
    citation = models.TextField(blank=True)
    article_ids = models.JSONField(default=list, blank=True)  # [[id_type, value], ...]
    cited = models.ForeignKey(
        Article,
        db_index=False,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="cited_by",
    )

    class Meta:
        ordering = ["article_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="reference_unique"),
        ]
        indexes = [
            # "Cited by" on the article page.
            models.Index(fields=["cited"], name="reference_cited_idx"),
        ]

    def __str__(self) -> str:
        return self.citation[:100]


class CommentCorrection(models.Model):
    """CommentsCorrections: errata, retractions, comments, updates. ``target`` is the other
    record's PMID, linked like ``Reference.cited``."""

    article = models.ForeignKey(
        Article, db_index=False, on_delete=models.CASCADE, related_name="comments_corrections"
    )
    position = models.PositiveIntegerField()
    ref_type = models.CharField(max_length=40)
    source = models.TextField(blank=True)
    target = models.ForeignKey(
        Article,
        db_index=False,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["article_id", "position"]
        verbose_name = "comment or correction"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "position"], name="commentcorrection_unique"
            ),
        ]
        indexes = [
            # Retraction and erratum notices pointing at an article.
            models.Index(fields=["target", "ref_type"], name="commentcorr_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ref_type}: {self.source}"


class DeletedCitation(models.Model):
    """Tombstone for a PMID NLM withdrew (DeleteCitation). The article row, if any, stays,
    hidden from browsing, with its curation."""

    pmid = models.PositiveIntegerField("PMID", primary_key=True)
    deleted_at = models.DateTimeField()
    source_file = models.TextField(blank=True)
    # The latest DeleteCitation of this PMID, as ``Article.source_key``/``source_position``.
    source_key = models.TextField(blank=True, default="", editable=False)
    source_position = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-deleted_at"]

    def __str__(self) -> str:
        return f"PMID {self.pmid} deleted"


class ArticleConceptQuerySet(models.QuerySet):
    def effective(self) -> "ArticleConceptQuerySet":
        """The concepts a reader sees: derived or added by a curator, not removed by one."""
        return self.filter(rejected=False)


class ArticleConcept(models.Model):
    """A disease, therapy or cause an article is about: its MeSH headings and substances
    classified by the MeSH tree and the headings' qualifiers. Derived at ingest (and by
    ``extract_facts``); curators' corrections (``concept:<role>:<ui>``) are laid over the
    derived rows by ``articles.curated.apply``: "yes" adds a row with source ``curator``, "no"
    marks the derived row ``rejected``, which every filter, facet and output leaves out
    (``ArticleConcept.objects.effective()``). The rejected row is kept so a re-ingest can tell
    whether PubMed's record still names the concept."""

    class Role(models.TextChoices):
        DISEASE = "disease", "Disease"
        THERAPY = "therapy", "Therapy"
        CAUSE = "cause", "Cause"  # a drug's adverse effects, a chemically induced disease

    class Source(models.TextChoices):
        MESH = "mesh", "MeSH heading"
        SUBSTANCE = "substance", "Substance"
        QUALIFIER = "qualifier", "Qualifier only"  # descriptor not in the MeSH data
        TEXT = "text", "Title or abstract"  # found in the text, with its evidence spans
        CURATOR = "curator", "Curator"  # added by a curator's correction

    article = models.ForeignKey(
        Article, db_index=False, on_delete=models.CASCADE, related_name="concepts"
    )
    # A MeSH descriptor UI; db_constraint=False because substances may name descriptors the
    # loaded MeSH data lacks.
    descriptor = models.ForeignKey(
        MeshDescriptor,
        db_constraint=False,
        db_index=False,
        on_delete=models.DO_NOTHING,
        related_name="concepts",
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    major = models.BooleanField(default=False)
    rejected = models.BooleanField(
        default=False, db_default=False, help_text="A curator said the article is not about it."
    )
    # A therapy the text says the patients had before ("refractory to cyclosporine").
    prior = models.BooleanField(default=False, db_default=False)
    # Where the text names it (source "text"): [{"source": "abstract", "start": 10, "end": 14,
    # "text": "IVIG"}], ``text == source_text[start:end]`` as for CaseFacts.evidence.
    evidence = models.JSONField(default=list, db_default=[], blank=True)

    objects = ArticleConceptQuerySet.as_manager()

    class Meta:
        ordering = ["article_id", "role", "descriptor_id"]
        verbose_name = "article concept"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "descriptor", "role"], name="articleconcept_unique"
            ),
        ]
        indexes = [
            # Disease / therapy facets and filters: articles having a descriptor in a role,
            # among the concepts a reader sees.
            models.Index(
                fields=["role", "descriptor", "article"],
                condition=models.Q(rejected=False),
                name="articleconcept_role_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.role} {self.descriptor_id}"


class CaseFacts(models.Model):
    """What the article's title and abstract say about its own patients, extracted by rules
    (``articles/text/facts.py``) at ingest and by ``extract_facts``. Every value has its evidence in
    ``evidence``: ``[{"field": "patient_count", "source": "title" | "abstract", "start": 10,
    "end": 23, "text": "five patients"}]``, where ``text == source_text[start:end]``.
    Values are suggestions; curators confirm or correct them through the curation overlay."""

    class Kind(models.TextChoices):
        CASE_REPORT = "case_report", "Single case report"
        CASE_SERIES = "case_series", "Case series"
        OTHER = "other", "Not a case report"
        UNKNOWN = "unknown", "Unknown"

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="facts"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.UNKNOWN)
    patient_count = models.PositiveIntegerField(null=True, blank=True)
    male_count = models.PositiveIntegerField(null=True, blank=True)
    female_count = models.PositiveIntegerField(null=True, blank=True)
    # Published cases a single case report reviews beside its own patient ("a case and a
    # review of 6 reported cases": patient_count 1, reviewed_count 6).
    reviewed_count = models.PositiveIntegerField(null=True, blank=True)
    age_min_years = models.FloatField(null=True, blank=True)  # ages in years (months / 12)
    age_max_years = models.FloatField(null=True, blank=True)
    age_mean_years = models.FloatField(null=True, blank=True)
    age_median_years = models.FloatField(null=True, blank=True)
    # Age groups present among the patients: child < 18 <= adult < 65 <= older adult.
    has_child = models.BooleanField(default=False)
    has_adult = models.BooleanField(default=False)
    has_older_adult = models.BooleanField(default=False)
    evidence = models.JSONField(default=list, blank=True)
    # The facts rules' and the text recogniser's versions (``ingest.DERIVED_VERSION``).
    rules_version = models.CharField(max_length=60, blank=True)
    # The rules' own values of the fields a curator corrected ({"patient_count": 3}): the
    # columns above hold what readers see (``articles.curated.apply``), so every filter,
    # facet and sort reads the corrected value.
    suggested = models.JSONField(default=dict, db_default={}, blank=True)

    class Meta:
        verbose_name = "case facts"
        verbose_name_plural = "case facts"
        indexes = [
            models.Index(fields=["kind", "patient_count"], name="casefacts_kind_idx"),
            models.Index(fields=["patient_count"], name="casefacts_count_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.get_kind_display()}, n={self.patient_count}"


class ExclusionReason(models.Model):
    """The managed list of reasons a curator may give for excluding an article."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """The managed tag vocabulary of curators."""

    name = models.CharField(max_length=60, unique=True)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Curation(models.Model):
    """What curators own about an article. Ingest never writes here."""

    class Status(models.TextChoices):
        UNREVIEWED = "unreviewed", "Unreviewed"
        INCLUDED = "included", "Included"
        MAYBE = "maybe", "Maybe"
        EXCLUDED = "excluded", "Excluded"

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="curation"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNREVIEWED)
    exclusion_reason = models.ForeignKey(
        ExclusionReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="curations")
    notes = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who last set the status.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[tags])

    class Meta:
        indexes = [
            # Status facet and the triage queue.
            models.Index(fields=["status"], name="curation_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(exclusion_reason__isnull=True) | models.Q(status="excluded"),
                name="curation_reason_only_when_excluded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.get_status_display()}"


class Correction(models.Model):
    """A curator's correction of one displayed field, laid over PubMed's value, never written
    into it. ``field`` is a key (``articles.curation.actions`` documents them: "title",
    "abstract:2", "author:0:name", "facts:patient_count", "concept:disease:D012507"...);
    ``original_value`` is the value the key had when the correction was made, so a re-ingest
    that changes it flags the correction (``needs_review``) instead of losing it."""

    article = models.ForeignKey(
        Article, db_index=False, on_delete=models.CASCADE, related_name="corrections"
    )
    field = models.CharField(max_length=100)
    original_value = models.TextField(blank=True)
    corrected_value = models.TextField(blank=True)
    note = models.TextField(blank=True)
    needs_review = models.BooleanField(
        default=False, help_text="PubMed's value changed under this correction since it was made."
    )
    source_value = models.TextField(
        blank=True, help_text="PubMed's current value, when it differs from the original."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["article_id", "field"]
        constraints = [
            models.UniqueConstraint(fields=["article", "field"], name="correction_unique_field"),
        ]
        indexes = [
            # The review queue: corrections whose PubMed original changed.
            models.Index(
                fields=["article"],
                condition=models.Q(needs_review=True),
                name="correction_review_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.field}"


class BlockedPMID(models.Model):
    """A PMID no ingest may store ("never ingest")."""

    pmid = models.PositiveIntegerField("PMID", primary_key=True)
    reason = models.TextField()
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    blocked_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pmid"]
        verbose_name = "blocked PMID"

    def __str__(self) -> str:
        return f"PMID {self.pmid} blocked"


class SavedFilter(models.Model):
    """A curator's named list query (the list page's query string), the source of a triage
    queue: the articles it matches whose status is unreviewed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(max_length=100)
    query = models.TextField(blank=True, help_text="The article list's query string.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="savedfilter_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('curation:queue')}?filter={self.pk}"


class SavedSearch(models.Model):
    """A signed-in user's list query (the list page's query string) that tells them of new
    matches: by e-mail digest (``manage.py send_alerts``) and by an Atom feed anyone holding
    its address can read (``/feeds/<token>/``). New means stored in Casebook after
    ``alerted_until`` (``Article.first_ingested_at``), whatever its publication date."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=100)
    query = models.TextField(blank=True, help_text="The article list's query string.")
    # The feed's address: unguessable, so a feed is as private as its link.
    feed_token = models.CharField(max_length=43, unique=True, editable=False)
    email_alerts = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Articles stored up to here have been sent; the next digest starts after it.
    alerted_until = models.DateTimeField()

    class Meta:
        ordering = ["user_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="savedsearch_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return (
            f"{reverse('articles:list')}?{self.query}" if self.query else reverse("articles:list")
        )


class IngestRun(models.Model):
    """One ingest from NCBI E-utilities: a PubMed query or a list of PMIDs, how far it got and
    what failed. ``pmids`` is the fetch list fixed when the run is planned and ``position`` how
    many of them are stored, which is what lets ``ingest_pubmed --resume`` go on from there."""

    class Source(models.TextChoices):
        QUERY = "query", "PubMed query"
        PMIDS = "pmids", "PMID list"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted"

    source = models.CharField(max_length=10, choices=Source.choices)
    query = models.TextField(blank=True)
    requested_pmids = models.JSONField("requested PMIDs", default=list, blank=True)
    parameters = models.JSONField(default=dict, blank=True)  # dates, datetype, batch size...
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Filled once, when the run is planned: the query's date slices, the PMIDs to fetch.
    plan = models.JSONField(default=list, blank=True)  # [{"mindate", "maxdate", "count"}]
    matched = models.PositiveIntegerField(null=True, blank=True)  # ESearch count of the query
    pmids = models.JSONField("PMIDs to fetch", default=list, blank=True)
    to_fetch = models.PositiveIntegerField(null=True, blank=True)  # null until planned
    skipped = models.PositiveIntegerField(default=0)  # already stored, not fetched
    blocked = models.PositiveIntegerField(default=0)  # on the curators' blocklist: not fetched
    position = models.PositiveIntegerField(default=0)  # PMIDs of ``pmids`` done, in order
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    failures = models.JSONField(default=list, blank=True)  # [{"pmid", "batch", "reason"}]

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "ingest run"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(source="query") | ~models.Q(query=""),
                name="ingestrun_query_not_empty",
            ),
            models.CheckConstraint(
                condition=models.Q(to_fetch__isnull=True)
                | models.Q(position__lte=models.F("to_fetch")),
                name="ingestrun_position_within_plan",
            ),
        ]

    def __str__(self) -> str:
        what = (
            self.query if self.source == self.Source.QUERY else f"{len(self.requested_pmids)} PMIDs"
        )
        return f"Run {self.pk}: {what[:80]} ({self.get_status_display().lower()})"


# The ORM end of the full-text index. The index is a table Django does not manage
# (``SearchDocument``): an FTS5 virtual table on SQLite, a tsvector table on PostgreSQL. A
# compiled query (``articles.search.backends``) is SQL written against placeholders,
# ``{table}`` (the joined table's alias), ``{doc}`` and ``{aff}`` (its two tsvector columns on
# PostgreSQL), so that one lookup, ``document__match=``, serves both databases.


@dataclass(frozen=True)
class CompiledText:
    """A backend's condition for a text query: ``sql`` with placeholders, and its params."""

    sql: str
    params: tuple

    def render(self, table: str) -> str:
        return self.sql.format(table=table, doc=f"{table}.document", aff=f"{table}.affiliations")


class SearchDocumentField(models.TextField):
    """Stands for the whole index row; only its ``match`` lookup is meant to be used."""


@SearchDocumentField.register_lookup
class Match(models.Lookup):
    lookup_name = "match"
    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs

    def as_sql(self, compiler, connection):
        compiled: CompiledText = self.rhs
        table = compiler.quote_name_unless_alias(self.lhs.alias)
        return compiled.render(table), list(compiled.params)


class SearchDocument(models.Model):
    """An article's row in the full-text index (``articles.search``). Not managed by Django:
    migration 0003 creates an FTS5 virtual table on SQLite and a tsvector table with GIN
    indexes on PostgreSQL, and ``articles.search.index.refresh(pmids)`` writes it. Query it only
    through ``articles.search``: ``document`` exists only as a PostgreSQL column."""

    article = models.OneToOneField(
        Article,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="search_document",
    )
    document = SearchDocumentField(editable=False)

    class Meta:
        managed = False
        db_table = "articles_search"

    def __str__(self) -> str:
        return f"Search index row {self.article_id}"
