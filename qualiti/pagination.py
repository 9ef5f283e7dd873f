from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """`limit` and `offset` as DRF's, but a value that is not a whole number >= 0 answers
    400 instead of being silently replaced by the default."""

    max_limit = 500

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
