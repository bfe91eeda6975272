"""Fixtures shared by the test modules."""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from articles.ingest.files import ingest_files
from tests import factories

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def fresh_limits():
    """Rate limits and the login lockout count in the cache: each test starts with none."""
    cache.clear()


@pytest.fixture
def curator(db):
    """Three HAWC records (PMIDs 21813367, 29186030, 21860499) and a staff user "cora" in
    the Curators group."""
    stats = ingest_files(
        [
            FIXTURES / "hawc_structured_abstract_21813367.xml",
            FIXTURES / "hawc_abstract_markup_29186030.xml",
            FIXTURES / "hawc_collective_author_21860499.xml",
        ]
    )
    assert stats.failed == 0, stats.problems
    return factories.curator()


@pytest.fixture
def curator_client(curator):
    client = Client()
    client.force_login(curator)
    return client
