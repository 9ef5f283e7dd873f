"""The glossary: what every check, metric, criterion template and status means."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.dashboards.selectors.glossary import (
    glossary_checks,
    glossary_criteria,
    glossary_metrics,
    glossary_statuses,
)


@login_required
def glossary(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dashboards/glossary.html",
        {
            "check_categories": glossary_checks(),
            "metrics": glossary_metrics(),
            "criteria": glossary_criteria(),
            "status_groups": glossary_statuses(),
        },
    )
