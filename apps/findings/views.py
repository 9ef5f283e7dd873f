"""The triage list of findings: filters, bulk assign / status change, and the CSV export of
the same filtered list. The finding page lives in views_finding.py, "My work" in
views_my_work.py."""

import csv
from collections.abc import Iterator
from itertools import chain

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.models import Membership, ProjectRole, Team, User
from apps.findings import selectors, services
from apps.findings.filters import FindingListFilter
from apps.findings.forms import BulkForm
from apps.findings.models import Finding
from qualiti.errors import QualitiError
from qualiti.http import AuthenticatedHttpRequest

FINDINGS_PER_PAGE = 50
REFUSALS_SHOWN = 10


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` the form sent when it is a page of this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def user_may_act_anywhere(user: User) -> tuple[bool, bool]:
    """(may progress findings somewhere, may triage somewhere): decides which bulk controls
    the list shows; each finding is still judged by the services."""
    if user.is_org_admin:
        return True, True
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    triage = ProjectRole.QUALITY_MANAGER in roles
    return triage or ProjectRole.DEVELOPER in roles, triage


def _filtered(request: AuthenticatedHttpRequest) -> FindingListFilter:
    return FindingListFilter(
        request.GET, queryset=selectors.finding_list(user=request.user), request=request
    )


def _bulk_form(request: AuthenticatedHttpRequest, data: dict | None = None) -> BulkForm:
    return BulkForm(
        data,
        teams=Team.objects.all(),  # any team may be given work, as on the finding page
        members=selectors.assignable_users(user=request.user),
    )


@login_required
@require_GET
def finding_list_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = _filtered(request)
    valid = filters.is_valid()
    findings = filters.qs if valid else Finding.objects.none()
    # The rows show only these; joining the criterion and both runs too made PostgreSQL's
    # planner take longer than the query itself on the large seed.
    findings = findings.select_related(None).select_related("project", "assigned_team", "assignee")
    page = Paginator(findings, FINDINGS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    may_collaborate, may_triage = user_may_act_anywhere(request.user)
    context = {
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "may_bulk": may_collaborate,
        "may_triage": may_triage,
        "bulk_form": _bulk_form(request, None) if may_collaborate else None,
        "today": timezone.localdate(),
    }
    return render(request, "findings/finding_list.html", context, status=200 if valid else 400)


@login_required
@require_POST
def finding_bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Apply one change to each ticked finding through the services, with the user's
    permission; report how many changed and why the others did not."""
    may_collaborate, _ = user_may_act_anywhere(request.user)
    if not may_collaborate:
        raise PermissionDenied("Your roles do not allow changing findings.")
    back = safe_next(request, reverse("finding-list"))
    form = _bulk_form(request, request.POST)
    if not form.is_valid():
        return render(
            request, "findings/bulk_refused.html", {"form": form, "back": back}, status=400
        )
    data = form.cleaned_data
    findings = list(selectors.finding_list(user=request.user).filter(pk__in=data["findings"]))
    updated, refusals = 0, []
    for finding in findings:
        try:
            if _apply_bulk(request.user, finding, data):
                updated += 1
        except QualitiError as error:
            refusals.append(f"{finding.title}: {error.message}")
    missing = len(data["findings"]) - len(findings)
    if missing:
        refusals.append(f"{missing} selected finding(s) were not found.")
    messages.success(request, f"{updated} finding{'s' if updated != 1 else ''} updated.")
    for refusal in refusals[:REFUSALS_SHOWN]:
        messages.error(request, f"Not changed: {refusal}")
    if len(refusals) > REFUSALS_SHOWN:
        messages.error(request, f"…and {len(refusals) - REFUSALS_SHOWN} more not changed.")
    return redirect(back)


def _apply_bulk(user: User, finding: Finding, data: dict) -> bool:
    """Change one finding; False when it already was as asked."""
    if data["operation"] == "status":
        if finding.status == data["to"]:
            return False
        services.finding_transition(
            finding=finding,
            user=user,
            to=data["to"],
            reason=data["reason"],
            version=finding.version,
        )
        return True
    given, values = set(), {}
    if data["assigned_team"] is not None:
        given.add("assigned_team")
        values["assigned_team_id"] = data["assigned_team"].pk
    if data["assignee"] is not None:
        given.add("assignee")
        values["assignee_id"] = data["assignee"].pk
    services.finding_update(
        finding=finding, user=user, version=finding.version, fields_given=frozenset(given), **values
    )
    return True


EXPORT_HEADER = [
    "id", "project", "title", "severity", "status", "category", "team", "assignee",
    "due_date", "overdue_days", "first_seen_run", "last_seen_run", "created_at", "url",
]  # fmt: skip


class _Echo:
    """A file-like sink that hands each CSV line back, for streaming."""

    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _export_rows(request: HttpRequest, findings: Iterator[Finding]) -> Iterator[list[str]]:
    for finding in findings:
        yield [
            _cell(value)
            for value in (
                finding.pk,
                finding.project.slug,
                finding.title,
                finding.severity,
                finding.status,
                finding.category,
                finding.assigned_team.name if finding.assigned_team else "",
                finding.assignee.get_username() if finding.assignee else "",
                finding.due_date.isoformat() if finding.due_date else "",
                finding.overdue_days,
                finding.first_seen_run_id or "",
                finding.last_seen_run_id or "",
                finding.created_at.isoformat(),
                request.build_absolute_uri(reverse("finding-detail", args=[finding.pk])),
            )
        ]


@login_required
@require_GET
def finding_export(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered list as CSV, streamed row by row so memory stays flat."""
    filters = _filtered(request)
    if not filters.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(errors)}" for name, errors in filters.errors.items()
        )
        return HttpResponse(
            f"Bad filter: {problems}", status=400, content_type="text/plain; charset=utf-8"
        )
    writer = csv.writer(_Echo())
    rows = chain([EXPORT_HEADER], _export_rows(request, filters.qs.iterator(chunk_size=500)))
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="findings-{stamp}.csv"'
    return response
