"""Concepts named in a record's text: diseases, therapies and causes, with their evidence.

Plain text in, dataclasses out; imports nothing from Django (like ``articles.pubmed``).

    from articles.text.recognise import recognise, use_cache_directory
    use_cache_directory("/var/cache/casebook")   # where the built vocabulary is kept
    recognise(title, abstract, keywords)          # -> list[Concept]

``VERSION`` names the rules and the vocabulary: stored concepts made under another are
outdated.
"""

from articles.text.recognise.recogniser import (
    CAUSE,
    DISEASE,
    THERAPY,
    VERSION,
    Concept,
    Evidence,
    default_vocabulary,
    recognise,
    use_cache_directory,
)
from articles.text.recognise.vocabulary import Vocabulary

__all__ = [
    "CAUSE",
    "DISEASE",
    "THERAPY",
    "VERSION",
    "Concept",
    "Evidence",
    "Vocabulary",
    "default_vocabulary",
    "recognise",
    "use_cache_directory",
]
