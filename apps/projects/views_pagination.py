"""Pages of a list for the pages of this area, with links that keep the other query
parameters (the uploads page pages two lists at once)."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def page_with_links(
    request: HttpRequest, items: QuerySet, *, per_page: int, param: str = "page"
) -> Page:
    """The requested page of `items`; `previous_url` and `next_url` are set on it."""
    page = Paginator(items, per_page).get_page(request.GET.get(param))
    page.previous_url = page.next_url = ""
    for attribute, has_it, number in (
        ("previous_url", page.has_previous, page.number - 1),
        ("next_url", page.has_next, page.number + 1),
    ):
        if has_it():
            query = request.GET.copy()
            query[param] = str(number)
            setattr(page, attribute, f"?{query.urlencode()}")
    return page
