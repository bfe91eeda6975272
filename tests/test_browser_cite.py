"""The Cite box in Chromium: opening it, choosing a style without JavaScript, copying with it.

Screenshots of the open box (desktop and a 390 px phone) are written to the test's tmp_path.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from articles.ingest.files import ingest_files
from tests.chromium import launch  # skips this module without Chromium, except in CI

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).parent / "fixtures"
PMID = 21813367
APA = (
    "Shin, H.-M., Vieira, V. M., Ryan, P. B., Steenland, K., & Bartell, S. M. (2011). "
    "Retrospective exposure estimation and predicted versus observed serum perfluorooctanoic "
    "acid concentrations for participants in the C8 Health Project. Environmental Health "
    "Perspectives, 119(12), 1760–1765. https://doi.org/10.1289/ehp.1103729"
)


@pytest.fixture
def browser(transactional_db, live_server):
    # Loaded before Playwright starts its event loop: Django refuses ORM calls inside it.
    stats = ingest_files([FIXTURES / "hawc_structured_abstract_21813367.xml"])
    assert stats.failed == 0, stats.problems
    with launch() as browser:
        yield browser


def test_it_opens_cite_and_changes_style_without_javascript(browser, live_server, tmp_path):
    page = browser.new_page(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/{PMID}/")
    box = page.locator("details.cite")
    expect(box.locator(".cite__text")).not_to_be_visible()

    page.get_by_text("Cite", exact=True).click()
    expect(box.locator(".cite__text")).to_have_text(
        "Shin HM, Vieira VM, Ryan PB, Steenland K, Bartell SM. Retrospective exposure "
        "estimation and predicted versus observed serum perfluorooctanoic acid concentrations "
        "for participants in the C8 Health Project. Environ Health Perspect. "
        "2011;119(12):1760-1765. doi:10.1289/ehp.1103729"
    )
    expect(box.get_by_role("button", name="Copy")).to_be_hidden()  # nothing to copy with

    page.get_by_label("Style", exact=True).select_option("apa")
    page.get_by_role("button", name="Show", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/{PMID}/?style=apa#cite")
    expect(box.locator(".cite__text")).to_have_text(APA)
    expect(box.locator(".cite__text i").first).to_have_text("Environmental Health Perspectives")
    page.screenshot(path=tmp_path / "cite-desktop.png")


def test_it_copies_the_citation_to_the_clipboard(browser, live_server):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{live_server.url}/{PMID}/?style=apa")

    copy = page.get_by_role("button", name="Copy the APA citation")
    copy.click()

    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == APA
    context.close()


def test_the_open_box_fits_a_phone_screen(browser, live_server, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/{PMID}/?style=nlm#cite")

    expect(page.locator(".cite__text")).to_be_visible()
    expect(page.get_by_role("button", name="Copy the NLM/Vancouver citation")).to_be_visible()
    page.locator("details.cite").screenshot(path=tmp_path / "cite-phone.png")
    page.screenshot(path=tmp_path / "cite-phone-page.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
