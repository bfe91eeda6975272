"""Curation in the admin and on the list: bulk actions, corrections, the staff-only status
filter."""

import pytest

from articles.browse.filters import ArticleFilter
from articles.curation import actions as curation
from articles.models import Article, Correction, Curation, ExclusionReason, Tag
from tests import factories

THREE = [21813367, 29186030, 21860499]

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    factories.hawc_articles()
    return factories.curator()


def act(client, action: str, pmids, url="/admin/articles/article/", **extra):
    return client.post(
        url, {"action": action, "_selected_action": [str(p) for p in pmids], **extra}, follow=True
    )


def statuses():
    return dict(Curation.objects.values_list("article_id", "status"))


def test_bulk_actions_set_status_with_a_reason(curator_client, curator):
    reason = ExclusionReason.objects.create(name="Animal study")

    act(curator_client, "set_status_maybe", THREE[:2])
    response = act(
        curator_client, "set_status_excluded", THREE[1:], exclusion_reason=str(reason.pk)
    )

    assert "Set status: excluded (with the chosen reason): 2 changed." in response.content.decode()
    assert statuses() == {21813367: "maybe", 29186030: "excluded", 21860499: "excluded"}
    excluded = Curation.objects.filter(status="excluded")
    assert list(excluded.values_list("exclusion_reason", flat=True)) == [reason.pk, reason.pk]
    assert set(Curation.objects.values_list("reviewed_by", flat=True)) == {curator.pk}


def test_a_bulk_exclusion_without_a_reason_changes_nothing(curator_client):
    response = act(curator_client, "set_status_excluded", THREE, exclusion_reason="")

    assert "Choose the exclusion reason to exclude with." in response.content.decode()
    assert "changed" not in response.content.decode()
    assert not Curation.objects.exists()


def test_bulk_actions_add_and_remove_a_tag_from_the_curation_list(curator_client):
    tag = Tag.objects.create(name="pediatric")
    act(curator_client, "add_tag", THREE, tag=str(tag.pk))

    act(curator_client, "remove_tag", THREE[:1], url="/admin/articles/curation/", tag=str(tag.pk))

    tagged = Curation.objects.filter(tags=tag).values_list("article_id", flat=True)
    assert sorted(tagged) == [21860499, 29186030]
    assert statuses() == dict.fromkeys(THREE, "unreviewed")


def test_a_tag_action_without_a_tag_changes_nothing(curator_client):
    response = act(curator_client, "add_tag", THREE)

    assert "Choose a tag to add." in response.content.decode()
    assert not Curation.objects.exists()


def test_a_correction_made_in_the_admin_captures_pubmeds_value(curator_client, curator):
    response = curator_client.post(
        "/admin/articles/correction/add/",
        {"article": "29186030", "field": "author:0:name", "corrected_value": "M. E. A. Elzaki"},
    )

    assert response.status_code == 302
    correction = Correction.objects.get()
    assert (correction.original_value, correction.corrected_value, correction.created_by) == (
        "Mohammed Esmail Abdalla Elzaki",
        "M. E. A. Elzaki",
        curator,
    )


def test_the_admin_refuses_a_bad_correction_key_with_a_message(curator_client):
    response = curator_client.post(
        "/admin/articles/correction/add/",
        {"article": "29186030", "field": "authors", "corrected_value": "x"},
    )

    assert response.status_code == 200
    assert "&#x27;authors&#x27; is not a correction key" in response.content.decode()
    assert not Correction.objects.exists()


def test_the_public_list_hides_excluded_articles_and_staff_can_show_them(
    client, curator_client, curator
):
    Curation.objects.create(article_id=29186030, status="excluded")
    Curation.objects.create(article_id=21860499, status="included")

    public = client.get("/", {"status": "excluded"}).context["page_obj"].object_list
    staff_all = curator_client.get("/").context["page_obj"].object_list
    staff_excluded = curator_client.get("/", {"status": "excluded"}).context["page_obj"]
    staff_unreviewed = curator_client.get("/", {"status": "unreviewed"}).context["page_obj"]

    assert sorted(a.pmid for a in public) == [21813367, 21860499]
    assert sorted(a.pmid for a in staff_all) == sorted(THREE)
    assert [a.pmid for a in staff_excluded.object_list] == [29186030]
    assert [a.pmid for a in staff_unreviewed.object_list] == [21813367]
    assert 'name="status"' not in client.get("/").content.decode()
    assert 'name="status"' in curator_client.get("/").content.decode()


def test_curators_see_a_status_facet_with_counts_and_the_public_does_not(
    client, curator_client, curator
):
    Curation.objects.create(article_id=29186030, status="excluded")
    Curation.objects.create(article_id=21860499, status="included")

    links = curator_client.get("/").context["status_links"]
    chosen = curator_client.get("/", {"status": "excluded"}).context["status_links"]

    assert [(link.label, link.count, link.url) for link in links] == [
        ("Unreviewed", 1, "?status=unreviewed"),
        ("Included", 1, "?status=included"),
        ("Maybe", 0, "?status=maybe"),
        ("Excluded", 1, "?status=excluded"),
    ]
    assert [(link.count, link.active, link.url) for link in chosen][3] == (1, True, "?")
    assert not client.get("/").context.get("status_links")
    assert "Curation status in these results" not in client.get("/").content.decode()


def test_the_status_filter_is_not_declared_for_the_public(rf, curator):
    request = rf.get("/", {"status": "excluded"})
    request.user = type("Anonymous", (), {"is_staff": False})()

    filterset = ArticleFilter(request.GET, queryset=Article.objects.all(), request=request)

    assert "status" not in filterset.filters
    assert filterset.qs.count() == 3


def test_the_api_list_hides_excluded_articles_from_the_public(client, curator):
    Curation.objects.create(article_id=29186030, status="excluded")

    rows = client.get("/api/v1/articles/").json()["results"]

    assert sorted(row["pmid"] for row in rows) == [21813367, 21860499]


def test_the_article_of_a_curation_is_read_only_once_it_exists(curator_client):
    Curation.objects.create(article_id=29186030, status="maybe", notes="Check the methods.")
    url = "/admin/articles/curation/29186030/change/"

    form = curator_client.get(url).context["adminform"].form
    response = curator_client.post(
        url, {"article": "21860499", "status": "included", "notes": "Check the methods."}
    )

    assert "article" not in form.fields
    assert response.status_code == 302
    # The decision stays with its article; nothing is copied onto 21860499.
    assert statuses() == {29186030: "included"}


@pytest.mark.parametrize(
    "url", ["/admin/articles/curation/29186030/change/", "/admin/articles/article/29186030/change/"]
)
def test_every_row_of_a_curation_form_has_a_label(curator_client, url):
    Curation.objects.create(article_id=29186030, status="maybe")

    html = curator_client.get(url).content.decode()

    assert "<label>:</label>" not in html
    assert "<label>See also:</label>" in html


def test_the_correction_key_help_shows_its_placeholders(curator_client):
    html = curator_client.get("/admin/articles/correction/add/").content.decode()

    assert (
        "title, pub_date, abstract:&lt;n&gt;, author:&lt;n&gt;:name, "
        "author:&lt;n&gt;:affiliation:&lt;n&gt;, facts:&lt;kind|patient_count|male_count|"
        "female_count&gt;, concept:&lt;disease|therapy|cause&gt;:&lt;MeSH UI&gt;; "
        "positions count from 0." in html
    )


@pytest.mark.parametrize(
    ("pmid", "key", "value", "message"),
    [
        (
            21860499,
            "author:5:name",
            "x",
            "author:5:name: there is no author at position 5; the record has one author, "
            "at position 0 (positions count from 0)",
        ),
        (
            21860499,
            "abstract:0",
            "x",
            "abstract:0: there is no abstract section at position 0; the record has no "
            "abstract section (positions count from 0)",
        ),
        (
            29186030,
            "author:3:affiliation:0",
            "x",
            "author:3:affiliation:0: there is no author at position 3; the record has 3, "
            "at positions 0-2 (positions count from 0)",
        ),
        (
            29186030,
            "concept:disease:D999999",
            "yes",
            "concept:disease:D999999: D999999 is not a MeSH descriptor",
        ),
    ],
)
def test_the_admin_refuses_a_key_the_record_does_not_have(
    curator_client, pmid, key, value, message
):
    response = curator_client.post(
        "/admin/articles/correction/add/",
        {"article": str(pmid), "field": key, "corrected_value": value},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"field": [message]}
    assert not Correction.objects.exists()


def test_a_correction_is_edited_in_the_admin(curator_client, curator):
    correction = curation.correct(29186030, "facts:patient_count", "5", user=curator)
    url = f"/admin/articles/correction/{correction.pk}/change/"

    response = curator_client.post(url, {"corrected_value": "6", "note": "Counted again."})
    refused = curator_client.post(url, {"corrected_value": "six", "note": ""})

    assert response.status_code == 302
    assert refused.context["adminform"].form.errors == {
        "corrected_value": [
            "facts:patient_count: 'six' is not a whole number (or empty for unknown)"
        ]
    }
    correction.refresh_from_db()
    assert (correction.corrected_value, correction.note) == ("6", "Counted again.")
