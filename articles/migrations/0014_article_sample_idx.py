"""The facets' sample of a large result (articles.facets): an index of the visible articles by
sample bucket (``pmid % 1024``), so the first buckets' articles are read from it alone. Then
the planner's statistics for it: PostgreSQL gathers those of an index expression only when the
table is analyzed, which nothing else would do before many rows change, and an analyzed SQLite
database (as the browse benchmark's) would know every index but this one."""

from django.db import migrations, models
from django.db.models.expressions import CombinedExpression, RawSQL


def analyze(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("ANALYZE articles_article")
        elif schema_editor.connection.vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("ANALYZE article_sample_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_history_times"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                CombinedExpression(
                    models.F("pmid"), "%%", RawSQL("1024", (), output_field=models.IntegerField())
                ),
                models.F("pmid"),
                models.F("pub_date"),
                models.F("deleted_at"),
                condition=models.Q(("deleted_at__isnull", True)),
                name="article_sample_idx",
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
