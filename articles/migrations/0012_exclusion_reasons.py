"""A fresh install's exclusion reasons, and curators may add and change them.

Without reasons a curator could not give one (the Curators group had only view permission on
the list), so "exclude with the chosen reason" had nothing to choose. Existing reasons are
kept; one of the defaults already there (by name) is left as it is.
"""

from django.db import migrations

DEFAULT_REASONS = [
    ("Not a case report or series", "The article describes no individual patients."),
    ("Not human", "Animal, in vitro or in silico study."),
    ("Duplicate", "Another record describes the same patients."),
    ("Wrong disease", "The patients do not have the disease of the review."),
    ("Wrong therapy", "The patients were not given the therapy of the review."),
    ("No outcome reported", "The article reports no outcome of the patients."),
    ("Other", "Say why in the notes."),
]
# Added to the Curators group of migration 0004 (articles.roles.CURATOR_PERMISSIONS is that
# list with these; a test checks the two).
ADDED_CURATOR_PERMISSIONS = [
    ("articles", "add_exclusionreason"),
    ("articles", "change_exclusionreason"),
]


def add_reasons(apps, schema_editor):
    ExclusionReason = apps.get_model("articles", "ExclusionReason")
    for name, description in DEFAULT_REASONS:
        ExclusionReason.objects.get_or_create(name=name, defaults={"description": description})


def grant_curators(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after the last migration; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Curators")
    group.permissions.add(
        *(
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in ADDED_CURATOR_PERMISSIONS
        )
    )


def revoke_curators(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Curators").first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="articles",
                codename__in=[codename for _app, codename in ADDED_CURATOR_PERMISSIONS],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_curated_read_model"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        # Reasons may be in use (Curation.exclusion_reason protects them): kept on reversal.
        migrations.RunPython(add_reasons, migrations.RunPython.noop),
        migrations.RunPython(grant_curators, revoke_curators),
    ]
