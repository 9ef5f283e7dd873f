"""The guide's pages: an index, a page per check and a page per framework requirement."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from apps.guide.selectors import (
    guide_check,
    guide_checks_by_category,
    guide_frameworks,
    guide_requirement,
)


@login_required
def guide_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "guide/index.html",
        {"check_categories": guide_checks_by_category(), "frameworks": guide_frameworks()},
    )


@login_required
def check_page(request: HttpRequest, key: str) -> HttpResponse:
    guide = guide_check(key=key)
    if guide is None:
        raise Http404("No check has this key.")
    return render(request, "guide/check.html", {"guide": guide, "check": guide.check})


@login_required
def requirement_page(request: HttpRequest, framework: str, requirement: str) -> HttpResponse:
    found = guide_requirement(framework=framework, identifier=requirement)
    if found is None:
        raise Http404("No requirement has this identifier.")
    return render(
        request,
        "guide/requirement.html",
        {"requirement": found, "framework": found.framework, "templates": found.templates.all()},
    )
