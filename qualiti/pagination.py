from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """`limit` and `offset` as DRF's, but a value that is not a whole number >= 0 answers
    400 instead of being silently replaced by the default."""

    max_limit = 500
    offset_query_description = "How many results to skip from the start of the list."
    # Each key of a page, for the OpenAPI schema.
    page_descriptions = {
        "count": "How many results the list holds in all, on every page.",
        "next": "The URL of the next page; null on the last.",
        "previous": "The URL of the previous page; null on the first.",
        "results": "This page's results.",
    }

    @property
    def limit_query_description(self) -> str:  # type: ignore[override]
        return (
            f"How many results to return: {self.default_limit} unless given, at most "
            f"{self.max_limit}."
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        page = super().get_paginated_response_schema(schema)
        for name, description in self.page_descriptions.items():
            page["properties"][name]["description"] = description
        return page

    def get_limit(self, request: Request) -> int | None:
        self._require_whole_number(request, self.limit_query_param)
        return super().get_limit(request)

    def get_offset(self, request: Request) -> int:
        self._require_whole_number(request, self.offset_query_param)
        return super().get_offset(request)

    @staticmethod
    def _require_whole_number(request: Request, name: str) -> None:
        values = request.query_params.getlist(name)
        if len(values) > 1:
            raise ValidationError({name: "Give this parameter once."})
        if values and not (values[0].isdigit() and values[0].isascii()):
            raise ValidationError({name: "A whole number of 0 or more is expected."})
