"""Saved searches with their alerts and feeds (articles.alerts), and the index they read new
arrivals from (Article.first_ingested_at, newest first)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0018_article_source"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SavedSearch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100)),
                (
                    "query",
                    models.TextField(blank=True, help_text="The article list's query string."),
                ),
                ("feed_token", models.CharField(editable=False, max_length=43, unique=True)),
                ("email_alerts", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("alerted_until", models.DateTimeField()),
            ],
            options={
                "ordering": ["user_id", "name"],
            },
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["-first_ingested_at", "-pmid"], name="article_arrived_idx"),
        ),
        migrations.AddField(
            model_name="savedsearch",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="saved_searches",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="savedsearch",
            constraint=models.UniqueConstraint(
                fields=("user", "name"), name="savedsearch_unique_name"
            ),
        ),
    ]
