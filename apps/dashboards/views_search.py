"""The search page: what the top bar's search box finds, grouped by kind."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from apps.dashboards.selectors.search import QUERY_MAX_LENGTH, SearchResults, search
from qualiti.errors import InvalidInput
from qualiti.http import AuthenticatedHttpRequest


@login_required
def search_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    raw = request.GET.get("q", "")
    error = ""
    try:
        results = search(user=request.user, query=raw)
    except InvalidInput as refusal:
        # Echo what was typed (the box keeps it to correct), searched for nothing.
        results, error = SearchResults(query=raw.strip().replace("\x00", "")), refusal.message
    context = {
        "results": results,
        "search_query": results.query,  # the top bar's box shows it (templates/base.html)
        "error": error,
        "query_max_length": QUERY_MAX_LENGTH,
    }
    return render(request, "dashboards/search.html", context)
