"""The full-text index: an FTS5 table on SQLite, a tsvector table with GIN indexes on
PostgreSQL (see ``articles.search.backends``), filled from the articles already stored."""

import django.db.models.deletion
from django.db import migrations, models

import articles.models


def create_index(apps, schema_editor):
    from articles.search.backends import backend_for
    from articles.search.index import rebuild

    with schema_editor.connection.cursor() as cursor:
        backend_for(schema_editor.connection.vendor).create(cursor)
    if apps.get_model("articles", "Article").objects.exists():
        rebuild()


def drop_index(apps, schema_editor):
    from articles.search.backends import backend_for

    with schema_editor.connection.cursor() as cursor:
        backend_for(schema_editor.connection.vendor).drop(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_mesh_concepts_facts"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        db_column="rowid",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                (
                    "document",
                    articles.models.SearchDocumentField(editable=False),
                ),
            ],
            options={
                "db_table": "articles_search",
                "managed": False,
            },
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["pmid", "deleted_at"], name="article_visible_idx"),
        ),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
