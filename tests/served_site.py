"""A database for a real server to serve: the demo's 354 PubMed records, copied in bulk.

    python -m tests.served_site COPIES

run with DATABASE_URL naming an empty SQLite file, migrates it, ingests
``articles/demo/pubmed21n1298_case_reports.xml.gz`` and adds COPIES - 1 copies of every
article under new PMIDs (PMID + n × 35,000,000, below PostgreSQL's integer limit for 57
copies): each copy keeps its journal, authors, abstract, MeSH headings, publication types,
keywords, grants, IDs, references, concepts and case facts, copied table by table with one
INSERT ... SELECT each, so 20,000 articles take seconds instead of 57 ingests. Affiliations
and MeSH qualifiers (children of children) are not copied; exports of the copies simply lack
them. A separate process because the test process's own database is pytest-django's.
"""

import sys
from pathlib import Path

PMID_STEP = 35_000_000
DEMO = Path(__file__).parent.parent / "articles" / "demo" / "pubmed21n1298_case_reports.xml.gz"


def copy_articles(copies: int) -> None:
    """Add ``copies - 1`` copies of every stored article and its direct children."""
    from django.db import connection, transaction

    from articles import models

    children = (
        models.AbstractSection,
        models.Author,
        models.MeshHeading,
        models.ArticlePublicationType,
        models.SupplementaryConcept,
        models.Substance,
        models.Keyword,
        models.Grant,
        models.ArticleId,
        models.Reference,
        models.CommentCorrection,
        models.ArticleConcept,
        models.CaseFacts,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for copy in range(1, copies):
            offset = copy * PMID_STEP
            cursor.execute(*_copy_sql(models.Article, "pmid", offset))
            for model in children:
                cursor.execute(*_copy_sql(model, "article_id", offset))


def _copy_sql(model, key: str, offset: int) -> tuple[str, list[int]]:
    """INSERT ... SELECT of the originals' rows (``key`` below PMID_STEP) with ``key`` moved
    by ``offset``; an automatic primary key is left for the database to number."""
    from django.db import connection

    quote = connection.ops.quote_name
    columns = [
        field.column
        for field in model._meta.concrete_fields
        if not field.primary_key or field.column == key
    ]
    chosen = [f"{quote(c)} + %s" if c == key else quote(c) for c in columns]
    table = quote(model._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(map(quote, columns))}) "
        f"SELECT {', '.join(chosen)} FROM {table} WHERE {quote(key)} < %s"
    )
    return sql, [offset, PMID_STEP]


def main(copies: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from articles.ingest.files import ingest_files

    call_command("migrate", verbosity=0)
    stats = ingest_files([DEMO])
    if stats.failed:
        raise SystemExit(f"{DEMO}: {stats.problems}")
    copy_articles(copies)


if __name__ == "__main__":
    main(int(sys.argv[1]))
