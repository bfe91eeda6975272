"""The triage screen in Chromium: a curator signs in and decides with the keyboard.

In CI (CI=true) this always runs; a missing browser is a failure there, not a skip.
"""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from articles.ingest import ingest_files
from articles.models import Curation
from articles.roles import curators_group
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
    user = get_user_model().objects.create_user("cora", password="triage-pw-9", is_staff=True)
    user.groups.add(curators_group())
    return user


def test_a_curator_triages_with_the_keyboard(curator, live_server):
    with launch() as browser:
        page = browser.new_page()
        page.goto(f"{live_server.url}/curate/queue/")
        # Anonymous: the admin login, then back to the queue.
        page.get_by_label("Username").fill("cora")
        page.get_by_label("Password").fill("triage-pw-9")
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(f"{live_server.url}/curate/29186030/")
        page.wait_for_load_state("load")  # triage.js (deferred) listens from here on
        expect(page.locator("#triage-status")).to_have_text("unreviewed")

        page.keyboard.press("?")
        expect(page.locator("#triage-help")).to_be_visible()
        expect(page.locator("#triage-help")).to_contain_text("Next unreviewed article")
        page.keyboard.press("?")
        expect(page.locator("#triage-help")).to_be_hidden()

        page.keyboard.press("i")
        expect(page).to_have_url(f"{live_server.url}/curate/21860499/")
        page.wait_for_load_state("load")
        expect(page.get_by_role("status")).to_contain_text("PMID 29186030: included.")

        # Keys typed into the notes are text, not decisions.
        page.get_by_label("Notes").fill("")
        page.get_by_label("Notes").press_sequentially("mixed ages")
        expect(page).to_have_url(f"{live_server.url}/curate/21860499/")
        page.wait_for_load_state("load")

        page.get_by_role("heading", level=1).click()  # leave the text box
        page.keyboard.press("m")
        expect(page).to_have_url(f"{live_server.url}/curate/21813367/")
        page.wait_for_load_state("load")

        page.keyboard.press("p")
        expect(page).to_have_url(f"{live_server.url}/curate/21860499/")
        page.wait_for_load_state("load")
        expect(page.locator("#triage-status")).to_have_text("maybe")

        page.keyboard.press("n")
        expect(page).to_have_url(f"{live_server.url}/curate/21813367/")
        page.wait_for_load_state("load")
        page.keyboard.press("e")
        expect(page.get_by_role("status")).to_contain_text(
            "That was the last unreviewed article of this queue."
        )
        expect(page.locator("#triage-status")).to_have_text("excluded")

    assert dict(Curation.objects.values_list("article_id", "status")) == {
        29186030: "included",
        21860499: "maybe",
        21813367: "excluded",
    }
    assert Curation.objects.get(pk=21860499).notes == "mixed ages"
    assert set(Curation.objects.values_list("reviewed_by__username", flat=True)) == {"cora"}
