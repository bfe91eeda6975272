"""The record as PubMed sent it moves out of the article row into ArticleSource, compressed
with zlib (level 1: a 30,000-record NLM file's 174 MB of XML become 48 MB). Reading articles
no longer walks past it, and ingest writes a quarter of the bytes."""

import zlib

import django.db.models.deletion
from django.db import migrations, models

CHUNK = 1000


def compress(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        last = -1
        while True:
            cursor.execute(
                "SELECT pmid, source_xml FROM articles_article "
                "WHERE pmid > %s AND source_xml <> '' ORDER BY pmid LIMIT %s",
                [last, CHUNK],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            cursor.executemany(
                "INSERT INTO articles_articlesource (article_id, xml) VALUES (%s, %s)",
                [(pmid, zlib.compress(xml.encode("utf-8"), 1)) for pmid, xml in rows],
            )
            last = rows[-1][0]


def decompress(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT article_id, xml FROM articles_articlesource")
        rows = [(zlib.decompress(bytes(xml)).decode("utf-8"), pmid) for pmid, xml in cursor]
        cursor.executemany("UPDATE articles_article SET source_xml = %s WHERE pmid = %s", rows)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0017_article_source_position"),
    ]

    operations = [
        migrations.CreateModel(
            name="ArticleSource",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="source",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                ("xml", models.BinaryField()),
            ],
        ),
        migrations.RunPython(compress, decompress),
        # A default for the column (in the state only: nothing in the database changes), so
        # that reversing the removal can add the column to stored rows.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="source_xml",
                    field=models.TextField(default="", editable=False),
                ),
            ]
        ),
        migrations.RemoveField(model_name="article", name="source_xml"),
    ]
