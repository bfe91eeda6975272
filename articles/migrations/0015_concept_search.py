"""Concept-mapped search: MeSH names looked up case-insensitively, and the search index
rebuilt so that every article holds its concepts' tokens (``search.backends.concept_token``).
The rebuild reads the articles as they are now; on a large collection it takes minutes
(``rebuild_search_index`` does the same on its own)."""

import django.db.models.functions.text
from django.db import migrations, models


def rebuild_index(apps, schema_editor):
    from articles.search.index import rebuild

    if apps.get_model("articles", "Article").objects.exists():
        rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_article_sample_idx"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="meshdescriptor",
            index=models.Index(
                django.db.models.functions.text.Lower("name"), name="meshdescriptor_lower_name_idx"
            ),
        ),
        migrations.RunPython(rebuild_index, migrations.RunPython.noop),
    ]
