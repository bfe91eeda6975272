"""Where each stored article and each DeleteCitation came from (file key and position in the
file), so that ingest can apply files in any order and end as in file-name order. Rows
stored before keep an empty key: any placed record outranks them at the same version."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0016_words")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="source_key",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="article",
            name="source_position",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="deletedcitation",
            name="source_key",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="deletedcitation",
            name="source_position",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
    ]
