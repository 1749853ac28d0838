"""The pagination styles the live tests walk, as the real services send them."""
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response


class DRFPages(PageNumberPagination):
    """Django REST framework's own: {count, next, previous, results}, `next` an absolute URL."""

    page_size_query_param = "page_size"
    max_page_size = 1000


class CursorEnvelope(BasePagination):
    """The Synapse v2 shape: {data, meta: {request_id, pagination: {next_cursor, previous_cursor, per_page}}}.
    The cursor is the last id seen; `cursor=<token>` on the same path asks for the next page."""

    def paginate_queryset(self, queryset, request, view=None):
        self.per_page = min(int(request.query_params.get("per_page", 100)), 1000)
        after = int(request.query_params.get("cursor") or 0)
        self.page = list(queryset.filter(id__gt=after).order_by("id")[: self.per_page + 1])
        self.has_more = len(self.page) > self.per_page
        self.page = self.page[: self.per_page]
        return self.page

    def get_paginated_response(self, data):
        next_cursor = str(self.page[-1].id) if self.has_more else None
        return Response({
            "data": data,
            "meta": {"request_id": "req-1", "pagination": {"next_cursor": next_cursor, "previous_cursor": None, "per_page": self.per_page}},
        })
