"""The triage screen in Chromium: a curator signs in and decides with the keyboard.

In CI (CI=true) this always runs; a missing browser is a failure there, not a skip.
"""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from articles.curation.roles import curators_group
from articles.ingest.files import ingest_files
from articles.models import Curation, ExclusionReason, Tag
from tests.chromium import launch  # skips this module without Chromium, except in CI

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def curator(transactional_db):
    # Everything the database needs is written before Playwright starts its event loop.
    stats = ingest_files(
        [
            FIXTURES / "hawc_structured_abstract_21813367.xml",
            FIXTURES / "hawc_abstract_markup_29186030.xml",
            FIXTURES / "hawc_collective_author_21860499.xml",
        ]
    )
    assert stats.failed == 0, stats.problems
    Tag.objects.create(name="pediatric")
    # Migration 0012 adds it, but a transactional test before this one may have flushed it.
    ExclusionReason.objects.get_or_create(name="Not human")
    user = get_user_model().objects.create_user("cora", password="triage-pw-9", is_staff=True)
    user.groups.add(curators_group())
    return user


def sign_in(page, url: str) -> None:
    page.goto(url)
    # Anonymous: the admin login, then back to the page asked for.
    page.get_by_label("Username").fill("cora")
    page.get_by_label("Password").fill("triage-pw-9")
    page.get_by_role("button", name="Log in").click()


def test_a_curator_triages_with_the_keyboard(curator, live_server):
    # The queue, newest PMID first: 29186030, 21860499, 21813367.
    def opened(pmid: int) -> None:
        expect(page).to_have_url(f"{live_server.url}/curate/{pmid}/")
        page.wait_for_load_state("load")  # triage.js (deferred) listens from here on

    with launch() as browser:
        page = browser.new_page()
        sign_in(page, f"{live_server.url}/curate/queue/")
        opened(29186030)
        expect(page.locator("#triage-status")).to_have_text("unreviewed")

        page.keyboard.press("?")
        expect(page.locator("#triage-help")).to_be_visible()
        expect(page.locator("#triage-help")).to_contain_text("Next unreviewed article")
        page.keyboard.press("?")
        expect(page.locator("#triage-help")).to_be_hidden()

        page.keyboard.press("n")  # skip 29186030
        opened(21860499)

        page.keyboard.press("t")  # to the tags; Space ticks one
        expect(page.get_by_label("pediatric")).to_be_focused()
        page.keyboard.press(" ")
        expect(page.get_by_label("pediatric")).to_be_checked()
        # Keys typed into the notes are text, not decisions; Escape leaves the box.
        page.get_by_label("Notes").click()
        page.keyboard.type("mixed ages")
        page.keyboard.press("Escape")
        page.keyboard.press("m")
        opened(21813367)
        expect(page.get_by_role("status")).to_contain_text("PMID 21860499: maybe.")

        page.keyboard.press("i")
        opened(29186030)  # the queue starts again at the article skipped

        # Previous: the articles decided, newest first, not the queue's order.
        page.keyboard.press("p")
        opened(21813367)
        expect(page.locator("#triage-status")).to_have_text("included")
        page.keyboard.press("p")
        opened(21860499)
        expect(page.locator("#triage-status")).to_have_text("maybe")
        expect(page.locator(".triage__status .tag")).to_have_text(["pediatric"])
        expect(page.get_by_label("Notes")).to_have_value("mixed ages")
        expect(page.locator('[data-key="p"]')).to_have_count(0)  # nothing decided before

        page.keyboard.press("n")
        opened(29186030)
        page.get_by_label("Exclusion reason").select_option("Not human")
        page.keyboard.press("Escape")
        page.keyboard.press("e")
        expect(page.get_by_role("status")).to_contain_text(
            "That was the last unreviewed article of this queue."
        )
        expect(page.locator("#triage-status")).to_have_text("excluded")

    assert dict(Curation.objects.values_list("article_id", "status")) == {
        29186030: "excluded",
        21860499: "maybe",
        21813367: "included",
    }
    assert Curation.objects.get(pk=29186030).exclusion_reason.name == "Not human"
    assert Curation.objects.get(pk=21860499).notes == "mixed ages"
    assert list(Curation.objects.get(pk=21860499).tags.values_list("name", flat=True)) == [
        "pediatric"
    ]
    assert set(Curation.objects.values_list("reviewed_by__username", flat=True)) == {"cora"}


@pytest.mark.parametrize(("width", "height"), [(1400, 900), (390, 844)])
def test_the_decisions_fit_the_window_and_the_facts_sit_beside_a_wide_abstract(
    curator, live_server, width, height
):
    with launch() as browser:
        page = browser.new_page(viewport={"width": width, "height": height})
        sign_in(page, f"{live_server.url}/curate/21813367/")
        expect(page).to_have_url(f"{live_server.url}/curate/21813367/")

        buttons = page.locator(".triage__buttons .button")
        expect(buttons).to_have_count(3)
        boxes = [buttons.nth(n).bounding_box() for n in range(3)]
        abstract = page.locator("#abstract").bounding_box()
        facts = page.locator("#case-facts").bounding_box()
        scroll_width = page.evaluate("document.documentElement.scrollWidth")

    # Every decision button is on screen, at the bottom of the window, without scrolling.
    for box in boxes:
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, box
    assert scroll_width <= width
    if width >= 1024:  # beside the abstract, level with it
        assert facts["x"] >= abstract["x"] + abstract["width"]
        assert facts["y"] < abstract["y"] + abstract["height"]
    else:  # below it
        assert facts["y"] >= abstract["y"] + abstract["height"]
