"""Browsing in Chromium: disease then therapy, an article, a local reference, the year chart,
the typeahead; pages that fit desktop and phone screens (REFRESH_SCREENSHOTS=1 refreshes the
screenshots under docs/). In CI (CI=true) these always run."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from articles.ingest.files import ingest_files
from articles.text.mesh import load_mesh
from tests.chromium import launch  # skips this module without Chromium, except in CI

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = Path(__file__).parent.parent / "docs"


@pytest.fixture
def records(transactional_db):
    # Loaded before Playwright starts its event loop: Django refuses ORM calls inside it.
    stats = ingest_files([FIXTURES / "pubmed20n0014_browse_52.xml.gz"])
    assert stats.failed == 0, stats.problems
    load_mesh(FIXTURES / "mesh_2024_browse_excerpt.tsv.gz")


@pytest.fixture
def browser(records, live_server):
    with launch() as browser:
        yield browser


def test_it_narrows_by_disease_then_therapy_and_opens_an_article(browser, live_server):
    page = browser.new_page(java_script_enabled=False)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_text("52 articles, showing 1–20")).to_be_visible()

    page.get_by_label("Disease", exact=True).fill("Lung Diseases")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("46 articles, showing 1–20")).to_be_visible()
    assert "disease=Lung+Diseases" in page.url

    page.get_by_label("Therapy", exact=True).fill("Cromolyn Sodium")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("5 articles", exact=True)).to_be_visible()
    expect(page.locator(".result")).to_have_count(5)
    therapies = page.get_by_role("list", name="Therapies in these results")
    expect(
        therapies.get_by_role("link", name="Cromolyn Sodium (chosen; select to remove) 5")
    ).to_be_visible()

    page.get_by_role(
        "link", name="Cromolyn sodium in the simultaneous treatment of allergic rhinitis"
    ).click()
    expect(page).to_have_url(f"{live_server.url}/403383/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cromolyn sodium in the simultaneous treatment of allergic rhinitis and asthma."
    )
    page.locator("#mesh-terms").get_by_role("link", name="Asthma", exact=True).first.click()
    expect(page.get_by_text("7 articles", exact=True)).to_be_visible()


def test_a_facet_link_narrows_and_its_chip_removes_it(browser, live_server):
    page = browser.new_page(java_script_enabled=False)
    page.goto(f"{live_server.url}/?disease=Asthma")
    expect(page.get_by_text("7 articles", exact=True)).to_be_visible()

    page.get_by_role("list", name="Therapies in these results").get_by_role(
        "link", name="Cromolyn Sodium 5"
    ).click()
    expect(page.get_by_text("5 articles", exact=True)).to_be_visible()

    page.get_by_role("link", name="Disease: Asthma (remove this filter)").click()
    expect(page.get_by_text("5 articles", exact=True)).to_be_visible()
    assert "disease=" not in page.url


def test_it_follows_a_reference_to_an_article_we_hold(browser, live_server):
    page = browser.new_page(java_script_enabled=False)
    page.goto(f"{live_server.url}/399607/")

    page.get_by_role("link", name="In Casebook (PMID 406965)").click()

    expect(page).to_have_url(f"{live_server.url}/406965/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Neurotensin: central nervous system effects of a hypothalamic peptide."
    )
    expect(page.locator("#cited-by")).to_contain_text("Neurotensin.")


def test_the_year_chart_narrows_to_a_year(browser, live_server):
    page = browser.new_page()
    page.goto(f"{live_server.url}/?disease=Lung+Diseases")

    page.get_by_role("link", name="1979: 8 articles").click()

    expect(page.get_by_text("8 articles", exact=True)).to_be_visible()
    assert "year_from=1979" in page.url and "year_to=1979" in page.url
    expect(page.get_by_label("From year")).to_have_value("1979")


def test_the_typeahead_suggests_a_synonym(browser, live_server):
    page = browser.new_page()
    page.goto(f"{live_server.url}/")

    page.get_by_label("Therapy", exact=True).press_sequentially("sodium cromo")

    option = page.locator("#therapy-options option")
    expect(option).to_have_count(1)
    assert option.get_attribute("value") == "Cromolyn Sodium"


def test_the_filters_are_reachable_by_keyboard_with_visible_focus(browser, live_server):
    page = browser.new_page()
    page.goto(f"{live_server.url}/?disease=Asthma")
    page.get_by_label("Disease", exact=True).focus()

    page.keyboard.press("Tab")  # the first disease in the results
    first = page.evaluate(
        "[document.activeElement.textContent.trim(),"
        " getComputedStyle(document.activeElement).outlineStyle]"
    )
    for _ in range(20):
        if page.evaluate("document.activeElement.id") == "id_therapy":
            break
        page.keyboard.press("Tab")

    assert first[0].startswith("Asthma")
    assert first[1] == "solid"
    expect(page.get_by_label("Therapy", exact=True)).to_be_focused()


def test_the_list_and_an_article_fit_desktop_and_phone_screens(browser, live_server, tmp_path):
    """Screenshots of each go to a temporary folder; with REFRESH_SCREENSHOTS=1 they refresh
    docs/list.png, docs/article.png and their phone versions."""
    folder = DOCS if os.environ.get("REFRESH_SCREENSHOTS") == "1" else tmp_path
    for name, path in [("list", "/?disease=Asthma"), ("article", "/412160/")]:
        for suffix, viewport in [("", (1280, 1000)), ("-mobile", (390, 844))]:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            page.goto(f"{live_server.url}{path}")
            page.screenshot(path=str(folder / f"{name}{suffix}.png"))
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} overflows a {viewport[0]}px screen"
