"""Share links (issue 15, point 5): a link opens one report without an account, is refused
after expiry or revocation, shows nothing else, and every opening is logged.

Reports here are rows with small stored files, not generated ones: no Chromium needed."""

import datetime
import hashlib
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.reports import sharing
from apps.reports.models import Report, ReportShare, ReportShareOpening
from qualiti.errors import InvalidInput, NotFound, PermissionRefused
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><body><h1>Run report</h1><p>Verdict: Fail</p></body></html>"
PDF = b"%PDF-1.7\n% a tiny stand-in for the stored PDF\n%%EOF\n"
GONE = "This link has expired, was revoked, or never existed"


@pytest.fixture
def cast() -> ProjectCast:
    return ProjectCast()


def ready_report(project, *, html: bytes = HTML, pdf: bytes = PDF, **fields) -> Report:
    report = Report.objects.create(
        kind=fields.pop("kind", "project"), project=project, status="ready", **fields
    )
    report.html.save("report.html", ContentFile(html), save=False)
    report.pdf.save("report.pdf", ContentFile(pdf), save=False)
    report.html_sha256 = hashlib.sha256(html).hexdigest()
    report.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    report.save()
    return report


def link(report, user, **options) -> sharing.ShareCreated:
    return sharing.report_share_create(user=user, report=report, **options)


def path_of(created: sharing.ShareCreated, fmt: str = "html") -> str:
    name = "report-shared" if fmt == "html" else "report-shared-pdf"
    return reverse(name, args=[created.token])


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- Opening a link -----------------------------------------------------------------------


def test_it_opens_the_report_without_login_exactly_as_stored(cast):
    created = link(ready_report(cast.project), cast.qm)

    response = Client().get(path_of(created))

    assert response.status_code == 200
    assert content(response) == HTML  # nothing added: no navigation, no page of the app
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"].startswith("sandbox allow-scripts;")
    assert not response.cookies  # no session, no CSRF cookie: the visitor stays nobody


def test_it_serves_the_pdf_at_pdf(cast):
    created = link(ready_report(cast.project), cast.qm)

    response = Client().get(path_of(created, "pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert content(response) == PDF
    assert response["Referrer-Policy"] == "no-referrer"


def test_each_opening_is_logged_with_time_address_browser_and_format(cast):
    created = link(ready_report(cast.project), cast.qm)
    before = timezone.now()

    Client(REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="A" * 500).get(path_of(created))
    Client(REMOTE_ADDR="2001:db8::5").get(path_of(created, "pdf"))

    openings = list(ReportShareOpening.objects.order_by("id"))
    assert [(o.address, o.format) for o in openings] == [
        ("198.51.100.7", "html"),
        ("2001:db8::5", "pdf"),
    ]
    assert openings[0].user_agent == "A" * 300
    assert all(o.opened_at >= before and o.share_id == created.share.pk for o in openings)


def test_a_forwarded_address_is_believed_only_behind_a_trusted_proxy(cast, settings):
    created = link(ready_report(cast.project), cast.qm)
    spoofed = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}

    Client(**spoofed).get(path_of(created))
    settings.QUALITI_TRUSTED_PROXY_COUNT = 1
    Client(**spoofed).get(path_of(created))

    addresses = list(ReportShareOpening.objects.order_by("id").values_list("address", flat=True))
    assert addresses == ["10.0.0.2", "203.0.113.9"]


# --- Refusals -----------------------------------------------------------------------------


def gone(response) -> bool:
    return (
        response.status_code == 404
        and GONE in response.content.decode()
        and response["Referrer-Policy"] == "no-referrer"
        and response["Cache-Control"] == "no-store"
    )


def test_an_expired_link_is_refused(cast):
    created = link(ready_report(cast.project), cast.qm, days=1)
    ReportShare.objects.filter(pk=created.share.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    assert gone(Client().get(path_of(created)))
    assert gone(Client().get(path_of(created, "pdf")))
    assert not ReportShareOpening.objects.exists()


def test_a_revoked_link_is_refused(cast):
    created = link(ready_report(cast.project), cast.qm)
    assert Client().get(path_of(created)).status_code == 200

    sharing.report_share_revoke(user=cast.qm, share=created.share)

    assert gone(Client().get(path_of(created)))
    assert ReportShareOpening.objects.count() == 1


def test_unknown_tokens_and_other_paths_get_the_same_page(cast):
    report = ready_report(cast.project)
    other = ready_report(cast.project, html=b"<p>another report</p>")
    created = link(report, cast.qm)
    expired = link(report, cast.qm)
    ReportShare.objects.filter(pk=expired.share.pk).update(expires_at=timezone.now())
    dead = Client().get(path_of(expired)).content

    for path in [
        path_of(created).replace(created.token, created.token[:-1] + "x"),  # a wrong token
        f"/shared/{report.pk}/",  # a report's id in the token's place
        f"/shared/{other.pk}/pdf/",
        f"/shared/{created.token}/{other.pk}/",  # another report under a live token
        f"/shared/{created.token}/reports/{other.pk}/",
        f"/shared/{created.token}/html/",
        f"/shared/{created.share.token_sha256}/",  # the stored hash is not a token
        "/shared/",
        "/shared/x" * 50 + "/",
    ]:
        response = Client().get(path)
        assert gone(response), path
        assert response.content == dead, path


def test_the_pages_under_shared_name_nothing_of_the_app(cast):
    created = link(ready_report(cast.project), cast.qm)
    signed_in = Client()
    signed_in.force_login(cast.qm)  # even a member's session adds nothing to the answer

    opened = content(signed_in.get(path_of(created))).decode()
    refused = signed_in.get("/shared/nothing/").content.decode()

    assert opened == HTML.decode()
    for page in (opened, refused):
        assert "href" not in page and "<form" not in page and "<script" not in page
        assert cast.project.name not in page and cast.qm.username not in page


def test_a_link_to_one_report_never_serves_another(cast):
    report = ready_report(cast.project)
    ready_report(cast.project, html=b"<p>the other one</p>")
    created = link(report, cast.qm)

    assert content(Client().get(path_of(created))) == HTML


# --- Creating and revoking ----------------------------------------------------------------


def test_the_token_is_stored_only_as_its_hash(cast, settings):
    settings.QUALITI_BASE_URL = "https://qualiti.example.com"
    created = link(ready_report(cast.project), cast.qm, label="Auditor")

    row = ReportShare.objects.filter(pk=created.share.pk).values().get()
    assert len(created.token) >= 43  # 32 random bytes, base64url
    assert row["token_sha256"] == hashlib.sha256(created.token.encode()).hexdigest()
    assert not any(created.token in str(value) for value in row.values())
    assert created.url == f"https://qualiti.example.com/shared/{created.token}/"


def test_a_link_expires_after_the_default_days_or_the_chosen_ones(cast, settings):
    settings.QUALITI_SHARE_LINK_DAYS = 14
    report = ready_report(cast.project)

    before = timezone.now()
    default = link(report, cast.qm).share
    chosen = link(report, cast.qm, days=90).share
    after = timezone.now()

    # Bounded by the clock before and after, not by how fast this machine is.
    day = datetime.timedelta(days=1)
    assert before + 14 * day <= default.expires_at <= after + 14 * day
    assert before + 90 * day <= chosen.expires_at <= after + 90 * day
    for days in (0, 91):
        with pytest.raises(InvalidInput, match="1 to 90 days"):
            link(report, cast.qm, days=days)


def test_only_a_ready_report_can_be_shared(cast):
    queued = Report.objects.create(kind="project", project=cast.project)

    with pytest.raises(InvalidInput, match="ready"):
        link(queued, cast.qm)


def test_revoking_twice_keeps_the_first_time(cast):
    share = link(ready_report(cast.project), cast.qm).share
    first = sharing.report_share_revoke(user=cast.qm, share=share).revoked_at

    again = sharing.report_share_revoke(user=cast.admin, share=share).revoked_at

    assert first is not None and again == first


@pytest.mark.parametrize(
    ("role", "refusal"),
    [
        ("qm", None),
        ("admin", None),
        ("dev", PermissionRefused),
        ("viewer", PermissionRefused),
        ("manager", PermissionRefused),
        ("outsider", NotFound),
    ],
)
def test_who_may_create_and_revoke_links(cast, role, refusal):
    report = ready_report(cast.project)
    share = link(report, cast.qm).share
    user = getattr(cast, role)

    if refusal is None:
        link(report, user)
        sharing.report_share_revoke(user=user, share=share)
        assert ReportShare.objects.filter(revoked_at__isnull=True).count() == 1
        return
    with pytest.raises(refusal):
        link(report, user)
    with pytest.raises(refusal):
        sharing.report_share_revoke(user=user, share=share)
    assert ReportShare.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_portfolio_report_is_shared_by_admins_only(cast):
    report = ready_report(None, kind="portfolio")

    assert link(report, cast.admin).share.report == report
    with pytest.raises(PermissionRefused):
        link(report, cast.manager)
    with pytest.raises(NotFound):
        link(report, cast.qm)


# --- API ----------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_shows_the_url_once_and_never_the_token_again(cast):
    report = ready_report(cast.project)
    shares = f"/api/v1/reports/{report.pk}/shares/"

    created = api(cast.qm).post(shares, {"label": "Board", "days": 7}, format="json")

    assert created.status_code == 201, created.content
    url = created.json()["url"]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert Client().get(f"/shared/{token}/").status_code == 200
    listed = api(cast.qm).get(shares)
    detail = api(cast.qm).get(f"/api/v1/report-shares/{created.json()['id']}/")
    for answer in (listed, detail):
        assert answer.status_code == 200 and token not in answer.content.decode()
        assert "url" not in answer.content.decode()
    (row,) = listed.json()["results"]
    assert (row["label"], row["opening_count"], row["created_by"]) == ("Board", 1, cast.qm.username)
    assert row["last_opened_at"] is not None


def test_the_api_revokes_a_link_and_reads_its_log(cast):
    created = link(ready_report(cast.project), cast.qm)
    Client(REMOTE_ADDR="192.0.2.44").get(path_of(created))

    log = api(cast.qm).get(f"/api/v1/report-shares/{created.share.pk}/openings/").json()
    revoked = api(cast.qm).post(f"/api/v1/report-shares/{created.share.pk}/revoke/")

    assert [(o["address"], o["format"]) for o in log["results"]] == [("192.0.2.44", "html")]
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert gone(Client().get(path_of(created)))


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("qm", 201),
        ("admin", 201),
        ("dev", 403),
        ("viewer", 403),
        ("manager", 403),
        ("outsider", 404),
    ],
)
def test_the_api_lets_only_the_quality_manager_and_admins_share(cast, role, status):
    report = ready_report(cast.project)

    response = api(getattr(cast, role)).post(f"/api/v1/reports/{report.pk}/shares/", {})

    assert response.status_code == status
    assert ReportShare.objects.count() == (1 if status == 201 else 0)


def test_the_api_refuses_a_lifetime_out_of_range(cast):
    report = ready_report(cast.project)

    response = api(cast.qm).post(f"/api/v1/reports/{report.pk}/shares/", {"days": 91})

    assert response.status_code == 400 and not ReportShare.objects.exists()


# --- The report's links page --------------------------------------------------------------


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_creates_a_link_shows_it_once_and_revokes_it(cast):
    report = ready_report(cast.project)
    client = page_client(cast.qm)
    page = reverse("report-shares", args=[report.pk])

    response = client.post(
        reverse("report-share-create", args=[report.pk]), {"label": "Auditor", "days": 3}
    )

    assert response.status_code == 302 and response["Location"] == page
    share = ReportShare.objects.get()
    first = client.get(page).content.decode()
    url = first.split('<code id="share-url">')[1].split("</code>")[0]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert share.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    Client(REMOTE_ADDR="192.0.2.80").get(urlsplit(url).path)
    second = client.get(page).content.decode()
    assert url not in second and "Auditor" in second and "Active" in second
    assert reverse("project-reports", args=[cast.project.slug]) in second
    assert "192.0.2.80" in second  # the access log

    client.post(reverse("report-share-revoke", args=[report.pk, share.pk]))

    assert "Revoked" in client.get(page).content.decode()
    assert ReportShare.objects.get().revoked_at is not None


@pytest.mark.parametrize(
    ("role", "status"), [("dev", 403), ("viewer", 403), ("manager", 403), ("outsider", 404)]
)
def test_the_page_refuses_who_may_not_share(cast, role, status):
    report = ready_report(cast.project)
    client = page_client(getattr(cast, role))

    shown = client.get(reverse("report-shares", args=[report.pk]))
    posted = client.post(reverse("report-share-create", args=[report.pk]), {"days": 3})

    assert (shown.status_code, posted.status_code) == (status, status)
    assert not ReportShare.objects.exists()
