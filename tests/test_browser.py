"""What only a browser can show: real clicks, focus, layout. Chromium through Playwright.

In CI (CI=true) these always run; a missing browser is a failure there, not a skip.
"""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from articles.curation.roles import curators_group
from articles.ingest.files import ingest_files
from articles.models import Curation
from tests.chromium import launch  # skips this module without Chromium, except in CI

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def records(transactional_db):
    # Loaded before Playwright starts its event loop: Django refuses ORM calls inside it.
    stats = ingest_files(
        [
            FIXTURES / "hawc_abstract_markup_29186030.xml",
            FIXTURES / "hawc_structured_abstract_21813367.xml",
            FIXTURES / "hawc_collective_author_21860499.xml",
        ]
    )
    assert stats.failed == 0, stats.problems


@pytest.fixture
def browser(records, live_server):
    with launch() as browser:
        yield browser


@pytest.fixture
def curator(records):
    user = get_user_model().objects.create_user("cora", password="search-pw-9", is_staff=True)
    user.groups.add(curators_group())
    Curation.objects.create(article_id=21813367, status=Curation.Status.INCLUDED)
    return user


def test_it_opens_an_article_from_the_list(browser, live_server):
    page = browser.new_page(java_script_enabled=False)
    page.goto(f"{live_server.url}/")

    page.get_by_role("link", name="Buprofezin Is Metabolized by CYP353D1v2").click()

    expect(page).to_have_url(f"{live_server.url}/29186030/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Buprofezin Is Metabolized by CYP353D1v2, a Cytochrome P450 Associated with "
        "Imidacloprid Resistance in Laodelphax striatellus."
    )
    expect(page.locator("#affiliation-2")).to_be_visible()
    expect(page.locator("#affiliation-2")).to_contain_text(
        "College of Crop Science, Fujian Agriculture and Forestry University"
    )


def test_it_filters_without_javascript(browser, live_server):
    page = browser.new_page(java_script_enabled=False)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_text("3 articles")).to_be_visible()

    page.get_by_label("Journal", exact=True).fill("Environ Health Perspect")
    page.get_by_label("Results per page").select_option("10")
    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_text("1 article", exact=True)).to_be_visible()
    assert "journal=Environ+Health+Perspect" in page.url
    assert "per_page=10" in page.url
    expect(page.get_by_role("link", name="Retrospective exposure estimation")).to_be_visible()


def test_the_skip_link_takes_keyboard_users_to_the_content(browser, live_server):
    page = browser.new_page()
    page.goto(f"{live_server.url}/21813367/")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).not_to_be_in_viewport()  # hidden until focused, so the stylesheet loaded

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")

    expect(page.locator("main")).to_be_focused()


@pytest.mark.parametrize("path", ["/", "/29186030/", "/21813367/"])
def test_pages_fit_a_phone_screen(browser, live_server, path):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}{path}")

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")

    assert overflow <= 0


def test_a_curator_signs_in_and_searches(curator, browser, live_server):
    page = browser.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/")
    page.get_by_label("Username").fill("cora")
    page.get_by_label("Password").fill("search-pw-9")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("3 articles")).to_be_visible()

    page.get_by_label("Search", exact=True).fill("perfluorooctanoic")
    page.get_by_label("Search", exact=True).press("Enter")

    expect(page.get_by_text("1 article", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Retrospective exposure estimation")).to_be_visible()
    statuses = page.get_by_role("list", name="Curation status in these results")
    expect(statuses.get_by_role("link", name="Included 1")).to_be_visible()
    statuses.get_by_role("link", name="Included 1").click()
    expect(page.get_by_text("1 article", exact=True)).to_be_visible()
    assert "status=included" in page.url and "term=perfluorooctanoic" in page.url


def test_the_article_page_adds_the_article_to_the_basket(browser, live_server):
    page = browser.new_page(java_script_enabled=False)
    page.goto(f"{live_server.url}/21813367/")

    page.get_by_role("button", name="Add to basket").click()

    expect(page).to_have_url(f"{live_server.url}/21813367/")
    expect(page.get_by_role("status")).to_contain_text("Added 1 article; 1 in the basket.")
    expect(page.get_by_role("button", name="Remove from basket")).to_be_visible()
    page.goto(f"{live_server.url}/basket/")
    expect(page.get_by_role("link", name="Retrospective exposure estimation")).to_be_visible()
    expect(page.locator(".result")).to_have_count(1)


@pytest.mark.parametrize("javascript", [False, True])
def test_the_filter_form_gives_a_url_of_the_chosen_filters_only(browser, live_server, javascript):
    page = browser.new_page(java_script_enabled=javascript)
    page.goto(f"{live_server.url}/")

    page.get_by_label("Journal", exact=True).fill("Environ Health Perspect")
    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_text("1 article", exact=True)).to_be_visible()
    assert page.url == f"{live_server.url}/?journal=Environ+Health+Perspect"

    page.get_by_label("Search", exact=True).fill("perfluorooctanoic")
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_text("1 article", exact=True)).to_be_visible()
    assert page.url == f"{live_server.url}/?term=perfluorooctanoic&journal=Environ+Health+Perspect"
    expect(page.get_by_label("Sort by")).to_have_value("")
    expect(page.get_by_label("Sort by").locator("option:checked")).to_have_text("Best match")
