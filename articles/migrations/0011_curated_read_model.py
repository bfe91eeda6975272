"""Curated read model: stored case facts and concepts hold curators' corrections.

``ArticleConcept.rejected`` marks a derived concept a curator removed (kept, so a re-ingest
can tell whether the record still names it), source "curator" a concept a curator added, and
``CaseFacts.suggested`` keeps the rules' values of the fields a curator corrected. For
concepts read from the text: ``ArticleConcept.evidence`` (the spans) and ``prior`` (a therapy
given before); ``CaseFacts.reviewed_count``: published cases a case report reviews. The data
step lays the corrections already made over the stored rows, as ``articles.curated.apply``
does; its code is frozen here.
"""

from django.db import migrations, models


def lay_over_corrections(apps, schema_editor):
    Correction = apps.get_model("articles", "Correction")
    ArticleConcept = apps.get_model("articles", "ArticleConcept")
    CaseFacts = apps.get_model("articles", "CaseFacts")
    facts_values = {}
    for correction in Correction.objects.filter(field__regex=r"^(facts|concept):").order_by("pk"):
        parts = correction.field.split(":")
        value = correction.corrected_value
        if parts[0] == "facts":
            facts_values.setdefault(correction.article_id, {})[parts[1]] = value
            continue
        rows = ArticleConcept.objects.filter(
            article_id=correction.article_id, role=parts[1], descriptor_id=parts[2]
        )
        if value == "no":
            rows.update(rejected=True)
        elif value == "yes" and not rows.exists():
            ArticleConcept.objects.create(
                article_id=correction.article_id,
                descriptor_id=parts[2],
                role=parts[1],
                source="curator",
            )
    for pmid, values in facts_values.items():
        facts = CaseFacts.objects.filter(article_id=pmid).first() or CaseFacts(article_id=pmid)
        facts.suggested = {name: getattr(facts, name) for name in values}
        for name, value in values.items():
            if name != "kind":
                value = int(value) if value.isdigit() else None
            setattr(facts, name, value)
        facts.save()


def analyze(apps, schema_editor):
    """Fresh planner statistics for the two tables changed: SQLite rebuilds the case facts
    table for the altered column, which drops its indexes' statistics, and neither database
    has any for the new partial index of concepts. Without them the list page's facet
    queries at 1,000,000 articles took 1-2 s instead of 0.1-0.4 s (SQLite, measured)."""
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone():
                return  # never analyzed: SQLite plans without statistics, as before
        cursor.execute("ANALYZE articles_articleconcept")
        cursor.execute("ANALYZE articles_casefacts")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_search_recent_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="articleconcept",
            name="articleconcept_role_idx",
        ),
        migrations.AddField(
            model_name="articleconcept",
            name="rejected",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text="A curator said the article is not about it.",
            ),
        ),
        migrations.AddField(
            model_name="articleconcept",
            name="evidence",
            field=models.JSONField(blank=True, db_default=[], default=list),
        ),
        migrations.AddField(
            model_name="articleconcept",
            name="prior",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="casefacts",
            name="reviewed_count",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="casefacts",
            name="suggested",
            field=models.JSONField(blank=True, db_default={}, default=dict),
        ),
        migrations.AlterField(
            model_name="articleconcept",
            name="source",
            field=models.CharField(
                choices=[
                    ("mesh", "MeSH heading"),
                    ("substance", "Substance"),
                    ("qualifier", "Qualifier only"),
                    ("text", "Title or abstract"),
                    ("curator", "Curator"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddIndex(
            model_name="articleconcept",
            index=models.Index(
                condition=models.Q(("rejected", False)),
                fields=["role", "descriptor", "article"],
                name="articleconcept_role_idx",
            ),
        ),
        migrations.AlterField(
            model_name="casefacts",
            name="rules_version",
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.RunPython(lay_over_corrections, migrations.RunPython.noop),
        migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True),
    ]
