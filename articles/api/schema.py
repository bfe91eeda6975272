"""What the OpenAPI schema says of answers the serializers do not describe: errors, the
throttle's answer and the CSL-JSON citation format."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from articles.api.renderers import CITATION_RENDERERS


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, for people.")


INVALID_PARAMETERS = OpenApiResponse(
    {
        "type": "object",
        "description": "Each invalid parameter with what is wrong with it.",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "example": {"year_from": ["Enter a number."]},
    },
    description="Invalid parameters",
)
THROTTLED = OpenApiResponse(
    ErrorSerializer,
    description="Too many requests from this address (anonymous clients are throttled); "
    "try again after the Retry-After header's seconds",
)
SEARCH_TOO_SLOW = OpenApiResponse(
    ErrorSerializer,
    description="A query of the search ran past its time budget and was stopped; narrow "
    "the search (articles.search.budget)",
)

# The CSL-JSON items ``articles.exports.formats.to_csl`` writes (citeproc's input).
_TEXT = {"type": "string"}
_CSL_NAME = {
    "type": "object",
    "properties": {"family": _TEXT, "given": _TEXT, "suffix": _TEXT, "literal": _TEXT},
}
CSL_JSON = {
    "type": "array",
    "description": "CSL-JSON items, as Zotero, Pandoc and other citeproc readers take them.",
    "items": {
        "type": "object",
        "required": ["id", "type", "title"],
        "properties": {
            "id": {"type": "string", "example": "pmid21813367"},
            "type": {"type": "string", "enum": ["article-journal", "chapter", "book"]},
            "author": {"type": "array", "items": _CSL_NAME},
            "editor": {"type": "array", "items": _CSL_NAME},
            "title": _TEXT,
            **dict.fromkeys(
                [
                    "container-title",
                    "container-title-short",
                    "journalAbbreviation",
                    "publisher",
                    "publisher-place",
                    "volume",
                    "issue",
                    "page",
                    "page-first",
                    "ISSN",
                    "ISBN",
                    "DOI",
                    "PMID",
                    "PMCID",
                    "URL",
                    "abstract",
                    "language",
                ],
                _TEXT,
            ),
            "issued": {
                "type": "object",
                "required": ["date-parts"],
                "properties": {
                    "date-parts": {
                        "type": "array",
                        "items": {"type": "array", "items": {"type": "integer"}},
                    },
                    "raw": {"type": "string", "description": "A season or a range as written."},
                },
            },
        },
    },
}


def in_every_format(code: int, description: str) -> dict:
    """An error of the article detail in each representation it may be asked in: JSON
    (``{"detail": ...}``) for JSON and CSL-JSON, the message as text for the others."""
    responses = {(code, "application/json"): OpenApiResponse(ErrorSerializer, description)}
    for renderer in CITATION_RENDERERS:
        body = ErrorSerializer if renderer.media_type.endswith("json") else OpenApiTypes.STR
        responses[(code, renderer.media_type)] = OpenApiResponse(body, description)
    return responses
