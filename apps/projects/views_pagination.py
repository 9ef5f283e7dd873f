"""Pages of a list for the pages of this area, with links that keep the other query
parameters (the uploads page pages two lists at once)."""

from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


class LinkedPage(Page):
    """A page that knows the links to its neighbours ("" when there is none)."""

    previous_url = ""
    next_url = ""


class _LinkedPaginator(Paginator):
    def _get_page(self, *args: Any, **kwargs: Any) -> LinkedPage:
        return LinkedPage(*args, **kwargs)  # Django's hook for a Page subclass


def page_with_links(
    request: HttpRequest, items: QuerySet[Any], *, per_page: int, param: str = "page"
) -> LinkedPage:
    """The requested page of `items`, with `previous_url` and `next_url`."""
    page = cast(LinkedPage, _LinkedPaginator(items, per_page).get_page(request.GET.get(param)))
    for attribute, has_it, number in (
        ("previous_url", page.has_previous, page.number - 1),
        ("next_url", page.has_next, page.number + 1),
    ):
        if has_it():
            query = request.GET.copy()
            query[param] = str(number)
            setattr(page, attribute, f"?{query.urlencode()}")
    return page
