"""Share links, as pages.

`/shared/<token>/` (and `pdf/`) needs no login: a live link answers the stored report and
nothing else, and logs the opening; anything else under /shared/ (an unknown, expired or
revoked token, another path) answers one plain 404 page that names nothing. Every answer
there keeps the URL out of Referer headers, search engines and caches.

`/reports/<id>/shares/` is the report's links page for its project's quality manager (or
an admin): the links with their openings, a form to make one (its URL shown once, on the
page that follows), revoke buttons, and the access log.
"""

import ipaddress

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotFound
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from apps.projects.views_pagination import page_with_links
from apps.reports import sharing
from apps.reports.forms_sharing import ShareForm
from apps.reports.models import Report, ReportShare
from apps.reports.responses import stored_report_response
from qualiti.errors import QualitiError
from qualiti.forms import service_error_add
from qualiti.http import AuthenticatedHttpRequest

OPENINGS_PER_PAGE = 50

# On every answer under /shared/: the secret URL must not leave in a Referer header (the
# report's own links, or a click from the 404 page), be indexed, or be kept by a cache.
SHARE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
}
# The 404 page loads and runs nothing.
GONE_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


# --- The public link ----------------------------------------------------------------------


def client_address(request: HttpRequest) -> str | None:
    """The opener's address: REMOTE_ADDR, unless QUALITI_TRUSTED_PROXY_COUNT says that many
    proxies of ours append to X-Forwarded-For (then the entry the outermost one appended;
    anything left of it is whatever the client wrote)."""
    candidate = request.META.get("REMOTE_ADDR", "")
    count = int(settings.QUALITI_TRUSTED_PROXY_COUNT)
    if count > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate.split("%")[0]))
    except ValueError:
        return None


def _share_headers(response: HttpResponseBase) -> HttpResponseBase:
    for name, value in SHARE_HEADERS.items():
        response[name] = value
    return response


def _gone() -> HttpResponseBase:
    # Rendered without the request: no context processor, no session, no user, nothing
    # of the app's on the page.
    response = HttpResponseNotFound(render_to_string("reports/share_gone.html"))
    response["Content-Security-Policy"] = GONE_POLICY
    return _share_headers(response)


@require_GET
def shared_report(request: HttpRequest, token: str, format: str = "html") -> HttpResponseBase:
    """The report a live link opens, exactly as stored, and one more line in its log."""
    share = sharing.share_live(token=token, format=format)
    if share is None:
        return _gone()
    try:
        response = stored_report_response(share.report, format)
    except (Http404, FileNotFoundError):
        return _gone()
    sharing.share_opening_record(
        share=share,
        address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        format=format,
    )
    return _share_headers(response)


def shared_nothing(request: HttpRequest, rest: str = "") -> HttpResponseBase:
    """Every other path under /shared/: the same page as a dead link."""
    return _gone()


# --- The report's links page --------------------------------------------------------------


def _url_key(report_pk: int) -> str:
    return f"report-share-url-{report_pk}"


def _render(
    request: AuthenticatedHttpRequest, report: Report, form: ShareForm, status: int = 200
) -> HttpResponse:
    context = {
        "report": report,
        "project": report.project,
        "tab": "reports",
        "shares": sharing.share_list(report=report),
        "openings": page_with_links(
            request, sharing.opening_list(report=report), per_page=OPENINGS_PER_PAGE
        ),
        "form": form,
        "created_url": request.session.pop(_url_key(report.pk), None),
        "now": timezone.now(),
    }
    return render(request, "reports/report_shares.html", context, status=status)


@login_required
@require_GET
def report_shares(request: AuthenticatedHttpRequest, report_pk: int) -> HttpResponse:
    report = sharing.report_for_sharing(user=request.user, report_id=report_pk)
    return _render(request, report, ShareForm())


@login_required
@require_POST
def report_share_create_view(request: AuthenticatedHttpRequest, report_pk: int) -> HttpResponse:
    report = sharing.report_for_sharing(user=request.user, report_id=report_pk)
    form = ShareForm(request.POST)
    if not form.is_valid():
        return _render(request, report, form, status=400)
    try:
        created = sharing.report_share_create(
            user=request.user,
            report=report,
            label=form.cleaned_data["label"],
            days=form.cleaned_data["days"],
        )
    except QualitiError as error:
        service_error_add(form, error)
        return _render(request, report, form, status=error.status_code)
    # Shown once, on the next page: kept server-side in the session until then.
    request.session[_url_key(report.pk)] = created.url
    messages.success(request, "Share link created.")
    return redirect(reverse("report-shares", args=[report.pk]))


@login_required
@require_POST
def report_share_revoke_view(
    request: AuthenticatedHttpRequest, report_pk: int, pk: int
) -> HttpResponse:
    report = sharing.report_for_sharing(user=request.user, report_id=report_pk)
    share = get_object_or_404(ReportShare, pk=pk, report=report)
    sharing.report_share_revoke(user=request.user, share=share)
    messages.success(request, f"Link {share.label or share.pk} revoked: it opens nothing now.")
    return redirect(reverse("report-shares", args=[report.pk]))
