from base64 import b64decode, b64encode
from binascii import Error as Base64Error

from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from articles.browse.facets import CAP

SORT_PARAMS = ("sort", "sort_order")


class ArticleCursorPagination(CursorPagination):
    """Newest PMID first, by a cursor holding the last PMID seen: articles ingested meanwhile
    shift no page. A cursor needs a unique, unchanging order, which the list page's orders are
    not (many articles share a date, a journal or a number of patients, and a new version may
    change them): with ``sort`` or ``sort_order`` the rows come in the list page's order and a
    cursor holds a position in it, through the first ``CAP`` matches, as the list page pages.
    A cursor is valid only with the parameters that gave it; any other is a 404."""

    ordering = "-pmid"
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_description = (
        "Where the page starts: the `next` or `previous` link of another page gives it."
    )

    def paginate_queryset(self, queryset, request, view=None):
        self.sorted = any(request.query_params.get(name) for name in SORT_PARAMS)
        if not self.sorted:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.offset = self._decode_offset(request)
        end = min(self.offset + self.page_size, CAP)
        rows = list(queryset[self.offset : end + 1])
        self.page = rows[: end - self.offset]
        self.has_next = end < CAP and len(rows) > len(self.page)
        self.has_previous = self.offset > 0
        return self.page

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # DRF filters on the position as given: a PMID, or the query fails.
        if cursor is not None and cursor.position is not None and not cursor.position.isdigit():
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def get_next_link(self):
        if not self.sorted:
            return super().get_next_link()
        if not self.has_next:
            return None
        return self._offset_link(self.offset + self.page_size)

    def get_previous_link(self):
        if not self.sorted:
            return super().get_previous_link()
        if not self.has_previous:
            return None
        return self._offset_link(max(self.offset - self.page_size, 0))

    def _offset_link(self, offset: int) -> str:
        if offset == 0:
            return remove_query_param(self.base_url, self.cursor_query_param)
        encoded = b64encode(f"s={offset}".encode("ascii")).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def _decode_offset(self, request) -> int:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return 0
        try:
            token = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
        except (UnicodeError, Base64Error):
            raise NotFound(self.invalid_cursor_message) from None
        name, _, value = token.partition("=")
        if name != "s" or not value.isdigit() or int(value) >= CAP:
            raise NotFound(self.invalid_cursor_message)
        return int(value)


class SearchCursorPagination(ArticleCursorPagination):
    """The article list's pages, with ``search_details`` beside them when ``term`` was given:
    the query as it was run, PubMed's "search details" (concepts the words named included),
    set by the view from the filterset's search."""

    # How the search was read where that needed saying (a repair, a capped truncation): the
    # list page's note, set by the view.
    search_note = ""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        details = getattr(self, "search_details", None)
        if details is not None:
            response.data["search_details"] = details
        response.data["search_note"] = self.search_note
        return response

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["search_details"] = {
            "type": "string",
            "description": (
                "Present when `term` was given: the query as it was run, every term with its "
                'field; words naming a disease or therapy also search it as a `"Name"[Concept]`.'
            ),
            "example": (
                '((heart[All Fields] AND attack[All Fields]) OR "Myocardial Infarction"[All '
                'Fields] OR "Myocardial Infarction"[Concept])'
            ),
        }
        described["properties"]["search_note"] = {
            "type": "string",
            "description": "How the search was read, where that needed saying: a query "
            "repaired, or a truncated word limited to its first 600 variants. Empty otherwise.",
            "example": "Read as a PMID.",
        }
        return described
