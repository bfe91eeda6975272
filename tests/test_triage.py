"""The triage screen without a browser: queues, decisions by plain forms, next and previous."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from articles import curation
from articles.models import Curation, ExclusionReason, SavedFilter

FIXTURES = Path(__file__).parent / "fixtures"

pytestmark = pytest.mark.django_db


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
        '<button type="submit" name="status" value="excluded" class="button" data-key="e">' in html
    )


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
    other = get_user_model().objects.create_user("otto")
    saved = SavedFilter.objects.create(user=other, name="Mine", query="")

    assert curator_client.get(f"/curate/queue/?filter={saved.pk}").status_code == 404


def test_the_screen_shows_the_case_facts_ingest_derived(curator_client):
    # PMID 29186030 is a laboratory study of insecticide resistance, not a case report.
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
