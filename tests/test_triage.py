"""The triage screen without a browser: queues, decisions by plain forms, next and previous."""

from pathlib import Path

import pytest

from articles.curation import actions as curation
from articles.ingest.files import ingest_files
from articles.models import Curation, ExclusionReason, SavedFilter, Tag
from tests import factories

FIXTURES = Path(__file__).parent / "fixtures"

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    """The three HAWC records, newest first 29186030 (2017), 21860499 and 21813367 (both
    2011), and a curator."""
    factories.hawc_articles()
    return factories.curator()


def test_the_queue_opens_the_newest_unreviewed_article(curator_client):
    response = curator_client.get("/curate/queue/")

    assert response.status_code == 302
    assert response["Location"] == "/curate/29186030/"


def test_a_decision_is_stored_and_the_next_unreviewed_article_opens(curator_client, curator):
    response = curator_client.post(
        "/curate/29186030/", {"status": "included", "notes": "Good one."}
    )

    assert response["Location"] == "/curate/21860499/"
    row = Curation.objects.get(pk=29186030)
    assert (row.status, row.notes, row.reviewed_by) == ("included", "Good one.", curator)


def test_previous_goes_back_to_the_article_just_decided(curator_client):
    curator_client.post("/curate/29186030/", {"status": "maybe"})

    page = curator_client.get("/curate/21860499/")

    assert page.context["previous_pmid"] == 29186030
    assert page.context["next_pmid"] == 21813367
    assert page.context["remaining"] == 2
    html = page.content.decode()
    assert '<a href="/curate/29186030/" data-key="p" rel="prev">' in html
    assert '<a href="/curate/21813367/" data-key="n" rel="next">' in html
    assert (
        '<button type="submit" form="triage-form" name="status" value="excluded" '
        'class="button" data-key="e">' in html
    )


def test_previous_follows_the_decisions_not_the_queue_order(curator_client):
    # Queue order is 29186030, 21860499, 21813367. Decide the last, skip to the first and
    # decide it: "previous" walks back through the decisions, newest first.
    curator_client.post("/curate/21813367/", {"status": "excluded"})
    curator_client.post("/curate/29186030/", {"status": "included"})

    on_next = curator_client.get("/curate/21860499/").context["previous_pmid"]
    back_once = curator_client.get("/curate/29186030/").context["previous_pmid"]
    back_twice = curator_client.get("/curate/21813367/").context["previous_pmid"]

    assert (on_next, back_once, back_twice) == (29186030, 21813367, None)
    html = curator_client.get("/curate/21813367/").content.decode()
    assert '<span class="muted">Previous <kbd>p</kbd></span>' in html


def test_each_queue_keeps_its_own_history_of_decisions(curator_client, curator):
    saved = SavedFilter.objects.create(user=curator, name="EHP", query="journal=Lung")
    curator_client.post("/curate/21813367/", {"status": "maybe"})

    in_other_queue = curator_client.get(f"/curate/21860499/?filter={saved.pk}")

    assert in_other_queue.context["previous_pmid"] is None
    assert curator_client.get("/curate/21860499/").context["previous_pmid"] == 21813367


def test_a_decision_sets_the_tags_ticked_and_a_new_tag(curator_client, curator):
    pediatric = Tag.objects.create(name="pediatric")
    rare = Tag.objects.create(name="rare disease")
    curation.add_tag([29186030], rare, user=curator)

    response = curator_client.post(
        "/curate/29186030/",
        {"status": "included", "tags_shown": "1", "tags": [str(pediatric.pk)], "new_tag": "PFAS "},
    )

    assert response["Location"] == "/curate/21860499/"
    row = Curation.objects.get(pk=29186030)
    assert (row.status, sorted(row.tags.values_list("name", flat=True))) == (
        "included",
        ["PFAS", "pediatric"],
    )
    assert Tag.objects.filter(name="PFAS").count() == 1
    # One audit entry for the decision and one for the new set of tags.
    assert [h.history_type for h in row.history.order_by("history_id")][-2:] == ["~", "~"]


def test_saving_tags_and_notes_keeps_the_status_and_the_article(curator_client, curator):
    pediatric = Tag.objects.create(name="pediatric")
    curation.set_status([29186030], "maybe", user=curator)

    response = curator_client.post(
        "/curate/29186030/",
        {"save": "1", "tags_shown": "1", "tags": [str(pediatric.pk)], "notes": "Ask Ann."},
        follow=True,
    )

    assert response.redirect_chain == [("/curate/29186030/", 302)]
    row = Curation.objects.get(pk=29186030)
    assert (row.status, row.notes, list(row.tags.all())) == ("maybe", "Ask Ann.", [pediatric])
    html = response.content.decode()
    assert "PMID 29186030: tags and notes saved." in html
    assert (
        f'<input type="checkbox" name="tags" value="{pediatric.pk}" id="tag-{pediatric.pk}" '
        'data-focus-key="t" checked> pediatric</label>' in html
    )
    assert '<span class="tag">pediatric</span>' in html


def test_the_screen_shows_the_erratum_banner_of_the_article_page(curator_client, client):
    # PMID 21813367 has an ErratumIn without a PMID: Environ Health Perspect.2013 Apr.
    banner = (
        '<p class="notice__item">\n        <strong>An erratum has been published for this '
        "article.</strong>\n        \n          Erratum: Environ Health Perspect.2013 Apr;"
        "121(4):A113\n        \n      </p>"
    )

    assert banner in client.get("/21813367/").content.decode()
    assert banner in curator_client.get("/curate/21813367/").content.decode()
    assert "notice__item" not in curator_client.get("/curate/29186030/").content.decode()


def test_an_exclusion_keeps_its_reason(curator_client):
    reason = ExclusionReason.objects.create(name="Animal study")

    curator_client.post(
        "/curate/29186030/", {"status": "excluded", "exclusion_reason": str(reason.pk)}
    )

    assert Curation.objects.get(pk=29186030).exclusion_reason == reason


def test_the_last_decision_of_a_queue_says_so(curator_client):
    for pmid in (29186030, 21860499):
        curator_client.post(f"/curate/{pmid}/", {"status": "maybe"})

    response = curator_client.post("/curate/21813367/", {"status": "included"}, follow=True)

    assert "That was the last unreviewed article of this queue." in response.content.decode()
    assert curator_client.get("/curate/queue/", follow=True).redirect_chain[-1][0] == "/curate/"


def test_a_saved_filter_is_a_queue_of_its_unreviewed_articles(curator_client, curator):
    response = curator_client.post(
        "/curate/filters/save/", {"name": "EHP", "query": "?journal=Environ+Health+Perspect"}
    )
    saved = SavedFilter.objects.get()
    assert (saved.user, saved.name, saved.query) == (
        curator,
        "EHP",
        "journal=Environ+Health+Perspect",
    )
    assert response["Location"] == f"/curate/queue/?filter={saved.pk}"

    opened = curator_client.get(response["Location"])
    assert opened["Location"] == f"/curate/21813367/?filter={saved.pk}"

    decided = curator_client.post(f"/curate/21813367/?filter={saved.pk}", {"status": "included"})
    assert decided["Location"] == f"/curate/21813367/?filter={saved.pk}"  # nothing left
    assert curator_client.get("/curate/").context["queues"][1] == (saved, 0)


def test_another_curators_saved_filter_is_not_found(curator_client):
    other = factories.user("otto")
    saved = SavedFilter.objects.create(user=other, name="Mine", query="")

    assert curator_client.get(f"/curate/queue/?filter={saved.pk}").status_code == 404


def test_the_screen_shows_each_fact_with_its_evidence_beside_the_abstract(curator_client):
    assert ingest_files([FIXTURES / "facts_labels_110.xml.gz"]).failed == 0

    html = curator_client.get("/curate/34095484/").content.decode()

    side = html[html.index('<aside class="triage__side"') : html.index("</aside>")]
    assert html.index('id="abstract"') < html.index('<aside class="triage__side"')
    assert "<dt>Kind</dt><dd>Case series</dd>" in side
    assert "Case series, n = 4 (3 men, 1 woman), ages 28-60 years — <em>suggested</em>" in side
    assert "We report a case series of <mark>4 patients</mark> with type 1 diabetes" in side
    assert "The first case was a <mark>30-year-old</mark> <mark>man</mark> admitted" in side


def test_the_screen_shows_the_stored_case_facts(curator_client):
    # PMID 29186030 is a laboratory study of insecticide resistance, not a case report: the
    # facts ingest derives for it have that kind and no counts.
    html = curator_client.get("/curate/29186030/").content.decode()

    assert "<dt>Kind</dt><dd>Not a case report</dd>" in html
    assert "<dt>Patients</dt><dd>unknown</dd>" in html
    assert "<dt>Male / female</dt><dd>? / ?</dd>" in html


def test_the_screen_shows_case_facts_as_a_curator_corrected_them(curator_client, curator):
    curation.correct(29186030, "facts:kind", "case_series", user=curator)
    curation.correct(29186030, "facts:patient_count", "5", user=curator)
    curation.correct(29186030, "facts:male_count", "3", user=curator)

    html = curator_client.get("/curate/29186030/").content.decode()

    assert "<dt>Kind</dt><dd>Case series</dd>" in html
    assert "<dt>Patients</dt><dd>5</dd>" in html
    assert "<dt>Male / female</dt><dd>3 / ?</dd>" in html


def test_an_unknown_decision_is_refused(curator_client):
    response = curator_client.post("/curate/29186030/", {"status": "keep"}, follow=True)

    assert "Unknown decision &#x27;keep&#x27;." in response.content.decode()
    assert not Curation.objects.exists()


def test_curators_save_the_list_they_see_as_a_triage_queue(curator_client, curator, client):
    listing = "/?journal=Environ+Health+Perspect&page=1&per_page=50"

    html = curator_client.get(listing).content.decode()
    form = html[html.index('<form class="save-queue"') :]
    form = form[: form.index("</form>")]
    response = curator_client.post(
        "/curate/filters/save/",
        {"name": "EHP", "query": "journal=Environ+Health+Perspect&page=1&per_page=50"},
        follow=True,
    )

    assert 'action="/curate/filters/save/"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert (
        '<input type="hidden" name="query" value="journal=Environ+Health+Perspect&amp;page=1&amp;'
        'per_page=50">' in form
    )
    assert '<button type="submit" class="button button--secondary">Save as triage queue' in form
    saved = SavedFilter.objects.get()
    assert (saved.user, saved.name, saved.query) == (
        curator,
        "EHP",
        "journal=Environ+Health+Perspect",
    )
    assert response.redirect_chain == [
        (f"/curate/queue/?filter={saved.pk}", 302),
        (f"/curate/21813367/?filter={saved.pk}", 302),
    ]
    assert "save-queue" not in client.get(listing).content.decode()


def test_a_pasted_list_address_keeps_only_its_filters(curator_client):
    curator_client.post(
        "/curate/filters/save/",
        {"name": "Lung", "query": "http://127.0.0.1:8000/?journal=Lung&per_page=100&page=2"},
    )

    assert SavedFilter.objects.get().query == "journal=Lung"
