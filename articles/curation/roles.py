"""Who may do what. Anonymous visitors read the public pages; curators are staff in the
"Curators" group (created by migration 0004, given more by 0012: together exactly
``CURATOR_PERMISSIONS``); only superusers manage users and groups, as no group holds an
``auth`` permission."""

from django.contrib.auth.models import Group, Permission

CURATORS = "Curators"
# Kept equal to the lists frozen in migrations/0004_curation.py and 0012_exclusion_reasons.py
# (a test checks them).
CURATOR_PERMISSIONS = [
    ("articles", "view_article"),
    ("articles", "view_casefacts"),
    ("articles", "view_articleconcept"),
    ("articles", "view_curation"),
    ("articles", "change_curation"),
    ("articles", "view_tag"),
    ("articles", "add_tag"),
    ("articles", "change_tag"),
    ("articles", "view_exclusionreason"),
    ("articles", "add_exclusionreason"),
    ("articles", "change_exclusionreason"),
    ("articles", "view_correction"),
    ("articles", "add_correction"),
    ("articles", "change_correction"),
    ("articles", "delete_correction"),
    ("articles", "view_blockedpmid"),
    ("articles", "add_blockedpmid"),
    ("articles", "change_blockedpmid"),
    ("articles", "delete_blockedpmid"),
    ("articles", "view_savedfilter"),
    ("articles", "add_savedfilter"),
    ("articles", "change_savedfilter"),
    ("articles", "delete_savedfilter"),
]


def curators_group() -> Group:
    """The Curators group with its permissions, restored if a test flushed the database."""
    group, _ = Group.objects.get_or_create(name=CURATORS)
    wanted = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in CURATOR_PERMISSIONS
    ]
    group.permissions.set(wanted)
    return group


def is_curator(user) -> bool:
    """Staff who may curate: superusers, and staff allowed to change curation."""
    return user.is_active and user.is_staff and user.has_perm("articles.change_curation")
