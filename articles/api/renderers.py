"""The citation formats as DRF renderers, so an article's record can be asked for as RIS,
MEDLINE, BibTeX, CSL-JSON or CSV by ``Accept`` header or ``?format=``."""

import json
from typing import Any

from rest_framework.renderers import BaseRenderer

from articles.exports.formats import FORMATS, CitationFormat


class CitationRenderer(BaseRenderer):
    citation_format: CitationFormat
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict | None = None,
    ) -> bytes:
        if not isinstance(data, dict) or "pmid" not in data:
            # An error ({"detail": ...}) in the negotiated type: JSON as it is for a JSON
            # format (CSL-JSON), else its message as text.
            if self.media_type.endswith("json"):
                return json.dumps(data, ensure_ascii=False).encode()
            detail = data.get("detail", "") if isinstance(data, dict) else data
            return str(detail).encode()
        return self.citation_format.text([data]).encode()


def _renderer(fmt: CitationFormat) -> type[CitationRenderer]:
    name = "".join(part.title() for part in fmt.name.split("-")) + "Renderer"
    media_type = fmt.content_type.split(";")[0]
    return type(
        name,
        (CitationRenderer,),
        {"media_type": media_type, "format": fmt.name, "citation_format": fmt},
    )


CITATION_RENDERERS = [_renderer(fmt) for fmt in FORMATS.values()]
