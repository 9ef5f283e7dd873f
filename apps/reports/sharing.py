"""Share links: one ready report, read-only, for someone without an account (an auditor, an
executive).

The link carries a random 256-bit token; only its sha256 is stored, so the database (or a
backup of it) cannot open a report. The full URL exists once, in the answer that creates it.
A link expires (QUALITI_SHARE_LINK_DAYS by default, 1 to 90 days as its creator chooses)
and can be revoked; every opening is logged. The project's quality manager and admins
create, revoke and read the log of links (a portfolio report has no project: admins only).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import (
    Action,
    project_action_check,
    refusal_words,
    scope_to_visible_projects,
)
from apps.reports.models import Report, ReportShare, ReportShareOpening, ReportStatus
from qualiti.errors import InvalidInput, NotFound, PermissionRefused

TOKEN_BYTES = 32  # 256 bits
MIN_DAYS = 1
MAX_DAYS = 90
USER_AGENT_CHARS = ReportShareOpening._meta.get_field("user_agent").max_length or 300
FORMATS = ("html", "pdf")


def token_hash(token: str) -> str:
    """The sha256 hex digest a token is stored and looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()


def share_url(token: str) -> str:
    """The absolute URL of a share link (QUALITI_BASE_URL + /shared/<token>/)."""
    return f"{settings.QUALITI_BASE_URL}{reverse('report-shared', args=[token])}"


@dataclass(frozen=True)
class ShareCreated:
    """A new link and its token: the caller shows `url` once; nothing keeps the token."""

    share: ReportShare
    token: str

    @property
    def url(self) -> str:
        return share_url(self.token)


# --- Who may manage a report's links ------------------------------------------------------


def report_share_check(*, user: User | None, report: Report) -> None:
    """404 when the user may not see the report, 403 when they see it but may not share it.
    `user=None` is the system itself."""
    if user is None:
        return
    if report.project_id is not None:
        project_action_check(user=user, project_id=report.project_id, action=Action.REPORT_SHARE)
        return
    # A portfolio report is about every project: only admins share it; management, who
    # read the portfolio, are refused; anyone else does not see it.
    if user.is_org_admin:
        return
    if user.sees_every_project:
        raise PermissionRefused(refusal_words(Action.REPORT_SHARE))
    raise NotFound("No such report.")


def report_for_sharing(*, user: User, report_id: int) -> Report:
    """The report whose links the user manages (404 out of sight, 403 not theirs to share)."""
    visible = scope_to_visible_projects(
        Report.objects.select_related("project"), user=user, project_field="project"
    )
    report = visible.filter(pk=report_id).first()
    if report is None:
        raise NotFound("No such report.")
    report_share_check(user=user, report=report)
    return report


# --- Writes -------------------------------------------------------------------------------


def _days_clean(days: int | None) -> int:
    if days is None:
        return int(settings.QUALITI_SHARE_LINK_DAYS)
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise InvalidInput(
            f"A link lives {MIN_DAYS} to {MAX_DAYS} days; {days} is outside.", field="days"
        )
    return days


@transaction.atomic
def report_share_create(
    *, user: User | None, report: Report, label: str = "", days: int | None = None
) -> ShareCreated:
    """A new read-only link to a ready report, expiring after `days` (the setting's default
    when None). Returns the token once; only its hash is stored."""
    report_share_check(user=user, report=report)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.READY or not report.html:
        raise InvalidInput("Only a ready report can be shared.")
    lifetime = _days_clean(days)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    share = ReportShare(
        report=report,
        token_sha256=token_hash(token),
        label=label.strip(),
        expires_at=timezone.now() + timedelta(days=lifetime),
        created_by=user,
    )
    share.full_clean()
    share.save()
    return ShareCreated(share=share, token=token)


@transaction.atomic
def report_share_revoke(*, user: User | None, share: ReportShare) -> ReportShare:
    """Refuse the link from now on. Revoking a revoked link changes nothing (its first
    revocation time stays)."""
    report_share_check(user=user, report=share.report)
    ReportShare.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    share.refresh_from_db(fields=["revoked_at"])
    return share


@transaction.atomic
def share_opening_record(
    *, share: ReportShare, address: str | None, user_agent: str, format: str
) -> ReportShareOpening:
    """Log one opening of a link: when, from which address, with which browser, which
    format. Called by the public view only after the link was found live."""
    opening = ReportShareOpening(
        share=share,
        address=address or None,
        user_agent=user_agent[:USER_AGENT_CHARS],
        format=format,
    )
    opening.full_clean()
    opening.save()
    return opening


# --- Reads --------------------------------------------------------------------------------


def share_live(*, token: str, format: str, now: datetime | None = None) -> ReportShare | None:
    """The link this token opens, or None: unknown, expired, revoked, its report not ready,
    or that format not stored. The lookup is by the token's hash, so the comparison is the
    database's equality on a digest the caller cannot steer, not on the secret itself."""
    if format not in FORMATS or not token or len(token) > 100:
        return None
    now = now or timezone.now()
    share = (
        ReportShare.objects.select_related("report")
        .filter(
            token_sha256=token_hash(token),
            revoked_at__isnull=True,
            expires_at__gt=now,
            report__status=ReportStatus.READY,
        )
        .first()
    )
    if share is None or not getattr(share.report, format):
        return None
    return share


def share_list(*, report: Report) -> QuerySet[ReportShare]:
    """A report's links, newest first, each with `opening_count` and `last_opened_at`."""
    return share_annotated(ReportShare.objects.filter(report=report))


def share_annotated(queryset: QuerySet[ReportShare]) -> QuerySet[ReportShare]:
    return queryset.select_related("report", "created_by").annotate(
        opening_count=Count("openings"), last_opened_at=Max("openings__opened_at")
    )


def opening_list(
    *, report: Report | None = None, share: ReportShare | None = None
) -> QuerySet[ReportShareOpening]:
    """The access log of one link, or of every link of a report, newest first."""
    openings = ReportShareOpening.objects.select_related("share")
    if share is not None:
        openings = openings.filter(share=share)
    if report is not None:
        openings = openings.filter(share__report=report)
    return openings.order_by("-opened_at", "-id")
