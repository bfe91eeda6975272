"""Saved searches (articles.alerts): saving the list's query, the Atom feed read back by
feedparser, the e-mail digest of new matches, and who may do what. Records: nine of NLM's
pubmed21n1298.xml.gz (six of them case series) stored before a search is saved, then the seed,
PMID 19387736 as its PubMed page shows it, a case series of five stored after
(tests/fixtures/README.md)."""

import smtplib
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.alerts import searches
from articles.alerts.searches import SETTLING, send_digests
from articles.ingest.files import ingest_files
from articles.models import Article, SavedSearch
from articles.text.mesh import load_mesh

FIXTURES = Path(__file__).parent / "fixtures"
SEED = 19387736
SEED_TITLE = (
    "Intravenous immunoglobulin therapy for refractory interstitial lung disease "
    "associated with polymyositis/dermatomyositis"
)
BEFORE = [34092772, 34087641, 33910483, 33883345, 33839063, 32628267]  # case series, 1298


@pytest.fixture
def stored(db):
    stats = ingest_files([FIXTURES / "pubmed21n1298_facts_9.xml.gz"])
    assert stats.failed == 0, stats.problems


@pytest.fixture
def mesh(db):
    load_mesh()  # the bundled MeSH 2024: the names the disease and therapy filters resolve


@pytest.fixture
def reader(db):
    return get_user_model().objects.create_user("reader", "reader@example.org", "pw-reader-1")


def ingest_seed() -> None:
    stats = ingest_files([FIXTURES / "seed_19387736_from_page.xml"])
    assert (stats.created, stats.failed) == (1, 0), stats.problems


def after_settling() -> timezone.datetime:
    """A digest's time late enough to take everything stored so far."""
    return timezone.now() + SETTLING + timedelta(seconds=1)


def test_it_saves_the_lists_filters_without_page_or_order(stored, reader):
    saved = searches.save(reader, "Series", "/?page=2&case_series=true&sort=pubdate&journal=")
    assert saved.query == "case_series=true"
    assert [a.pmid for a in searches.matches(saved.query)] == sorted(BEFORE, reverse=True)
    assert searches.new_matches(saved).count() == 0  # what was there when saved is not new


def test_it_refuses_a_search_of_everything_or_one_the_list_refuses(stored, reader):
    with pytest.raises(searches.InvalidSearch, match="every article"):
        searches.save(reader, "All", "/?page=3")
    with pytest.raises(searches.InvalidSearch, match="patients_min"):
        searches.save(reader, "Bad", "patients_min=many")
    assert not SavedSearch.objects.exists()


def test_the_digest_names_only_articles_stored_after_the_search_was_saved(stored, mesh, reader):
    searches.save(reader, "Case series", "case_series=true")
    searches.save(reader, "IVIG in myositis", "disease=Dermatomyositis&therapy=IVIG")
    ingest_seed()

    assert send_digests(after_settling()) == (1, 2)  # one e-mail, the seed in both searches

    [message] = mail.outbox
    assert message.to == ["reader@example.org"]
    assert message.subject == "Casebook: 2 new articles for your saved searches"
    assert "Case series: 1 new" in message.body
    assert "IVIG in myositis: 1 new" in message.body
    assert message.body.count(SEED_TITLE) == 2
    assert f"http://127.0.0.1:8000/{SEED}/" in message.body
    assert all(str(pmid) not in message.body for pmid in BEFORE)


def test_a_second_digest_sends_nothing_new(stored, reader):
    searches.save(reader, "Case series", "case_series=true")
    ingest_seed()
    send_digests(after_settling())
    mail.outbox.clear()

    assert send_digests(after_settling()) == (0, 0)
    assert mail.outbox == []


def test_an_article_stored_in_the_last_minutes_waits_for_the_next_digest(stored, reader):
    saved = searches.save(reader, "Case series", "case_series=true")
    ingest_seed()
    stored_at = Article.objects.get(pmid=SEED).first_ingested_at

    assert send_digests(stored_at + SETTLING - timedelta(seconds=1)) == (0, 0)
    saved.refresh_from_db()
    assert saved.alerted_until < stored_at
    assert send_digests(stored_at + SETTLING) == (1, 1)


def test_alerts_turned_off_or_no_address_send_no_mail(stored, reader):
    saved = searches.save(reader, "Case series", "case_series=true")
    silent = get_user_model().objects.create_user("silent", "", "pw-silent-1")
    searches.save(silent, "Case series", "case_series=true")
    saved.email_alerts = False
    saved.save()
    ingest_seed()

    assert send_digests(after_settling()) == (0, 0)


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses one address."""

    def send_messages(self, messages):
        if any("refused@example.org" in message.to for message in messages):
            raise smtplib.SMTPRecipientsRefused({"refused@example.org": (550, b"No such user")})
        mail.outbox.extend(messages)
        return len(messages)


def test_a_refused_digest_keeps_its_marks_and_the_others_go_out(stored, reader, settings):
    settings.EMAIL_BACKEND = "tests.test_alerts.RefusingBackend"
    refused = get_user_model().objects.create_user("refused", "refused@example.org", "pw-r-1")
    kept = searches.save(refused, "Case series", "case_series=true")
    searches.save(reader, "Case series", "case_series=true")
    ingest_seed()

    assert send_digests(after_settling()) == (1, 1)

    assert [message.to for message in mail.outbox] == [["reader@example.org"]]
    assert SavedSearch.objects.get(pk=kept.pk).alerted_until == kept.alerted_until
    assert searches.new_matches(kept).count() == 1  # still new: it goes with the next digest


def test_send_alerts_command_reports_what_it_sent(stored, mesh, reader, capsys):
    searches.save(reader, "IVIG", "therapy=IVIG")
    ingest_seed()
    # As if the search was saved yesterday and the seed stored before the settling time.
    SavedSearch.objects.update(alerted_until=timezone.now() - timedelta(days=1))
    Article.objects.filter(pmid=SEED).update(first_ingested_at=timezone.now() - SETTLING * 2)

    call_command("send_alerts")

    assert capsys.readouterr().out == "sent 1 digest, 1 articles named\n"
    assert SEED_TITLE in mail.outbox[0].body


# Through the browser's paths: the list page, the saved searches page, the feed ----------------


def test_the_list_offers_saving_a_search_only_to_signed_in_users(stored, reader, client):
    assert b"Save search and alert me" not in client.get("/?case_series=true").content
    assert b'href="/accounts/login/?next=' in client.get("/?case_series=true").content
    client.force_login(reader)
    page = client.get("/?case_series=true").content.decode()
    assert "Save search and alert me" in page
    assert 'name="query" value="case_series=true"' in page


def test_a_signed_in_user_saves_a_search_and_sees_it_listed(stored, mesh, reader, client):
    client.force_login(reader)
    response = client.post(
        reverse("alerts:save"), {"name": "IVIG in myositis", "query": "disease=Dermatomyositis"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/?disease=Dermatomyositis"
    saved = SavedSearch.objects.get()
    assert (saved.user, saved.name, saved.query) == (
        reader,
        "IVIG in myositis",
        "disease=Dermatomyositis",
    )

    page = client.get(reverse("alerts:saved")).content.decode()
    assert "IVIG in myositis" in page
    assert f"http://testserver/feeds/{saved.feed_token}/" in page


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.post(reverse("alerts:save"), {"name": "x", "query": "term=ivig"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/saved/save/")
    assert client.get(reverse("alerts:saved"))["Location"] == "/accounts/login/?next=/saved/"


def test_a_user_signs_in_on_the_public_login_page(reader, client):
    page = client.get("/accounts/login/?next=/saved/")
    assert page.status_code == 200
    response = client.post(
        "/accounts/login/", {"username": "reader", "password": "pw-reader-1", "next": "/saved/"}
    )
    assert (response.status_code, response["Location"]) == (302, "/saved/")
    assert client.get("/saved/").status_code == 200


def test_one_user_cannot_touch_anothers_saved_search(stored, reader, client):
    saved = searches.save(reader, "Case series", "case_series=true")
    other = get_user_model().objects.create_user("other", "o@example.org", "pw-other-1")
    client.force_login(other)
    assert client.post(reverse("alerts:delete", args=[saved.pk])).status_code == 404
    assert client.post(reverse("alerts:set_alerts", args=[saved.pk])).status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk, email_alerts=True).exists()


def test_alerts_are_switched_off_and_the_search_deleted(stored, reader, client):
    saved = searches.save(reader, "Case series", "case_series=true")
    client.force_login(reader)
    client.post(reverse("alerts:set_alerts", args=[saved.pk]))
    assert SavedSearch.objects.get().email_alerts is False
    client.post(reverse("alerts:set_alerts", args=[saved.pk]), {"email_alerts": "on"})
    assert SavedSearch.objects.get().email_alerts is True
    client.post(reverse("alerts:delete", args=[saved.pk]))
    assert not SavedSearch.objects.exists()
    assert client.get(f"/feeds/{saved.feed_token}/").status_code == 404


def test_the_feed_shows_a_newly_ingested_case_series_first(stored, reader, client):
    saved = searches.save(reader, "Case series", "case_series=true")
    ingest_seed()

    response = client.get(f"/feeds/{saved.feed_token}/")  # anonymous: the link is the key

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "Casebook: Case series"
    assert feed.feed.link == "http://testserver/?case_series=true"
    assert [entry.id for entry in feed.entries] == [f"info:pmid/{SEED}"] + [
        f"info:pmid/{pmid}" for pmid in sorted(BEFORE, reverse=True)
    ]
    first = feed.entries[0]
    assert first.title == SEED_TITLE
    assert first.link == f"http://testserver/{SEED}/"
    assert first.summary == "Lung. 2009 May-Jun;187(3):201-6."


def test_an_unknown_feed_is_not_found(client, db):
    assert client.get("/feeds/not-a-token/").status_code == 404
