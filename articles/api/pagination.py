from rest_framework.pagination import CursorPagination


class ArticleCursorPagination(CursorPagination):
    """Newest PMID first. A cursor needs a unique, unchanging order, which the list page's
    publication date is not (many articles share one, and a new version may change it)."""

    ordering = "-pmid"
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200
