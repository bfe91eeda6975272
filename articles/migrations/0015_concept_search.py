"""Concept-mapped search: MeSH names looked up case-insensitively, and the search index
rebuilt so that every article holds its concepts' tokens (``search.backends.concept_token``).
On a large collection the rebuild takes minutes.

The rebuild runs the ``rebuild_search_index`` command by name, not SQL frozen here and not
the search code's functions: the index is derived data, written as tokens by the same Python
tokenizer that reads queries, so it is only right when today's code writes it; the command is
the public, stable way to ask for that, the one an operator runs by hand, and it leaves the
articles untouched (a rebuild can be repeated at any time with the same result). It is also
the index's only fill on the way up: migration 0003 creates the table empty.
"""

import io

import django.db.models.functions.text
from django.core.management import call_command
from django.db import migrations, models


def rebuild_index(apps, schema_editor):
    if apps.get_model("articles", "Article").objects.exists():
        # Its summary line would land in the middle of migrate's own "Applying ..." line.
        call_command("rebuild_search_index", stdout=io.StringIO())


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
