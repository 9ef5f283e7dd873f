"""The model card of a model version: its data (the latest succeeded run of each approved
plan, fairness per group, the findings that concern it), the Markdown export (page and
API), who reads and who edits its descriptive fields (page and API), and its PDF printed
by Chromium through the report pipeline."""

import io

import pypdf
import pytest
from django.test import Client
from django.urls import reverse

from apps.projects.models import MODEL_CARD_TEXT_LIMIT, ModelVersion
from apps.reports.model_card import model_card_data
from apps.reports.model_card_markdown import model_card_markdown
from apps.reports.models import Report, ReportKind, ReportStatus
from apps.reports.services import report_generate
from tests.projects.factories import client_for
from tests.reports.model_card_history import (
    INTENDED_USE,
    LATEST_AUC,
    LIMITATIONS,
    OLDER_AUC,
    OTHER_VERSION_AUC,
    PARITY,
    CardHistory,
)
from tests.support.browser import requires_chromium

pytestmark = pytest.mark.django_db


@pytest.fixture
def history() -> CardHistory:
    return CardHistory()


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(history: CardHistory, name: str) -> str:
    return reverse(name, args=[history.project.slug, history.version.pk])


def api_url(history: CardHistory, suffix: str = "") -> str:
    return f"/api/v1/model-versions/{history.version.pk}/{suffix}"


# --- the card's data --------------------------------------------------------------------


def test_it_reads_the_latest_succeeded_run_of_each_approved_plan(history):
    card = model_card_data(history.version)

    assert [run["id"] for run in card["runs"]] == [history.fairness_run.pk, history.latest.pk]
    assert card["plans"] == ["Fairness", "Gate"] and card["plans_not_run"] == []
    values = [row["value"] for row in card["metrics"]]
    assert values == [LATEST_AUC]  # not the older run's, the other version's or Legacy's
    assert OLDER_AUC not in values and OTHER_VERSION_AUC not in values
    metric = card["metrics"][0]
    assert metric["interval"] == {"low": 0.7921, "high": 0.8302, "level": 0.95}
    assert (metric["criterion"], metric["plan"], metric["outcome"]) == (
        "PERF-01",
        "Gate v1",
        "pass",
    )


def test_it_gives_fairness_per_group_with_the_run_pages_chart(history):
    (entry,) = model_card_data(history.version)["fairness"]

    assert (entry["subject"], entry["value"], entry["outcome"]) == ("sex", PARITY, "fail")
    assert entry["interval"]["low"] == 0.5512
    assert [group["group"] for group in entry["groups"]] == ["F", "M", "X"]
    assert entry["groups"][0]["values"][entry["group_metrics"].index("selection_rate")] == 0.3125
    assert entry["groups"][2]["judged"] is False
    bars = entry["figure"]["data"][0]
    assert bars["x"] == ["F", "M"] and bars["y"] == [0.3125, 0.5012]  # judged groups only


def test_it_lists_the_findings_that_concern_the_version_and_its_data(history):
    card = model_card_data(history.version)

    assert [f["id"] for f in card["findings"]] == [f.pk for f in history.listed_findings]
    assert [row["criterion"] for row in card["failing_results"]] == ["FAIR-02"]
    datasets = card["datasets"]
    assert [d["name"] for d in datasets["evaluation"]] == ["Applicants 2024"]
    assert [d["name"] for d in datasets["training"]] == ["Applicants 2019-2023"]
    assert card["description"]["owners"] == (
        f"{history.dev.username} (uploader), {history.team.name} (development team)"
    )


def test_it_reads_the_card_in_a_handful_of_queries(history, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        model_card_data(history.version)


def test_a_version_never_evaluated_has_a_card_that_says_so(history):
    card = model_card_data(history.other_version)
    assert card["plans_not_run"] == ["Fairness"] and card["fairness"] == []
    text = model_card_markdown(history.other_version)
    assert "Fairness: not run on this version yet" in text
    assert "_Not written yet._" in text


# --- the Markdown -----------------------------------------------------------------------


def test_the_markdown_says_what_a_model_card_must_say(history):
    text = model_card_markdown(history.version)

    assert f"## Intended use\n\n{INTENDED_USE}" in text
    assert (
        "| Gate v1 | PERF-01 | performance.classification | whole dataset | roc_auc | 0.8123 |"
        in text
    )
    assert "[0.7921, 0.8302] (95%)" in text and "at least 0.75" in text
    assert "### sex (Fairness v1)" in text
    assert "demographic_parity_ratio 0.6234 (interval [0.5512, 0.6979] (95%)" in text
    assert "| F | 480 | yes | 0.3125 |" in text and "| X | 12 | no (too few rows) |" in text
    assert f"## Known limitations\n\n{LIMITATIONS}" in text
    assert (
        "**FAIR-02 Demographic parity** on sex (Fairness v1): demographic_parity_ratio 0.6234"
        in text
    )
    for finding in history.listed_findings:
        assert finding.title in text
    assert history.verified_finding.title not in text
    assert history.elsewhere_finding.title not in text
    assert history.version.sha256 in text


def test_the_page_serves_the_markdown_to_a_viewer(history):
    response = page_client(history.viewer).get(page_url(history, "model-card-markdown"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert INTENDED_USE in response.content.decode()


def test_the_api_serves_the_markdown(history):
    response = client_for(history.viewer).get(api_url(history, "model-card/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert "## Fairness per sensitive group" in response.content.decode()


def test_an_outsider_finds_no_card(history):
    for url in (page_url(history, "model-version-page"), page_url(history, "model-card-markdown")):
        assert page_client(history.outsider).get(url).status_code == 404
    assert client_for(history.outsider).get(api_url(history, "model-card/")).status_code == 404
    response = client_for(history.outsider).patch(
        api_url(history), {"intended_use": "x"}, format="json"
    )
    assert response.status_code == 404


# --- editing the descriptive fields -----------------------------------------------------


def card_form(**changes) -> dict[str, str]:
    fields = {name: "" for name in ("intended_use", "out_of_scope_uses", "owners")}
    fields |= {"training_data_description": "", "evaluation_data_description": ""}
    fields |= {"known_limitations": "", "ethical_considerations": ""}
    return fields | changes


def test_a_viewer_reads_the_card_on_the_page_and_may_not_edit_it(history):
    client = page_client(history.viewer)

    page = client.get(page_url(history, "model-version-page"))
    refused = client.post(page_url(history, "model-version-card-edit"), card_form(owners="me"))

    assert page.status_code == 200
    assert INTENDED_USE in page.content.decode()
    assert "Edit the model card" not in page.content.decode()
    assert refused.status_code == 403
    history.version.refresh_from_db()
    assert history.version.owners == ""


def test_a_developer_edits_the_card_on_the_page(history):
    client = page_client(history.dev)
    assert (
        "Edit the model card"
        in client.get(page_url(history, "model-version-page")).content.decode()
    )

    response = client.post(
        page_url(history, "model-version-card-edit"),
        card_form(intended_use="Credit triage.", owners="  Risk analytics team  "),
    )

    assert response.status_code == 302
    history.version.refresh_from_db()
    assert (history.version.intended_use, history.version.owners) == (
        "Credit triage.",
        "Risk analytics team",
    )
    page = client.get(response["Location"]).content.decode()
    assert "Model card saved." in page and "Risk analytics team" in page


def test_the_page_says_what_is_too_long(history):
    response = page_client(history.qm).post(
        page_url(history, "model-version-card-edit"),
        card_form(ethical_considerations="x" * (MODEL_CARD_TEXT_LIMIT + 1)),
    )

    assert response.status_code == 400
    assert "Ensure this value has at most 10000 characters" in response.content.decode()
    assert ModelVersion.objects.get(pk=history.version.pk).ethical_considerations == ""


def test_the_api_changes_the_card_fields_only(history):
    client = client_for(history.dev)

    response = client.patch(
        api_url(history), {"out_of_scope_uses": "Employment decisions."}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["out_of_scope_uses"] == "Employment decisions."
    assert response.json()["intended_use"] == INTENDED_USE  # untouched


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"label": "renamed"}, "label", "Only the model card's fields change after an upload"),
        ({"owners": "x" * (MODEL_CARD_TEXT_LIMIT + 1)}, "owners", "no more than 10000"),
        ({"owners": ["a", "list"]}, "owners", "Not a valid string."),
        ({}, "detail", "Name at least one of intended_use"),
    ],
)
def test_the_api_says_what_is_wrong(history, body, field, words):
    response = client_for(history.qm).patch(api_url(history), body, format="json")

    assert response.status_code == 400
    assert words in str(response.json()[field])
    assert ModelVersion.objects.get(pk=history.version.pk).label == history.version.label


def test_a_viewer_may_not_patch_the_card(history):
    response = client_for(history.viewer).patch(
        api_url(history), {"intended_use": "Anything."}, format="json"
    )

    assert response.status_code == 403
    assert (
        "model cards" in response.json()["detail"] or "model versions" in response.json()["detail"]
    )
    assert ModelVersion.objects.get(pk=history.version.pk).intended_use == INTENDED_USE


# --- the PDF ----------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.mark.browser
@requires_chromium
def test_the_model_card_pdf_is_printed_and_served_from_the_page(history):
    client = page_client(history.viewer)
    requested = client.post(page_url(history, "model-card-pdf-request"))
    assert requested.status_code == 302
    report = Report.objects.get(kind=ReportKind.MODEL_CARD, model_version=history.version)

    report = report_generate(report_id=report.pk)  # what the Celery task does

    assert report.status == ReportStatus.READY, report.error
    text = pdf_text(report.pdf.read())
    for words in (INTENDED_USE, LIMITATIONS, "0.8123", "[0.7921, 0.8302] (95%)", "0.3125"):
        assert words in text, words
    assert history.version.sha256 in text
    assert history.parity_finding.title in text
    assert "Page 1 of" in text and history.project.name in text
    page = client.get(page_url(history, "model-version-page")).content.decode()
    pdf_url = reverse("report-file-pdf", args=[history.project.slug, report.pk])
    assert pdf_url in page
    download = client.get(pdf_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_page_shows_a_pdf_being_made_until_it_is_ready(history):
    client = page_client(history.viewer)
    client.post(page_url(history, "model-card-pdf-request"))

    page = client.get(page_url(history, "model-version-page")).content.decode()
    fragment = client.get(page_url(history, "model-card-pdf-status"))

    status_url = page_url(history, "model-card-pdf-status")
    assert f'hx-get="{status_url}"' in page and "Making the model card PDF: queued" in page
    assert fragment.status_code == 200 and "Making the model card PDF" in fragment.content.decode()
    assert "Model card (PDF)</a>" not in page  # no PDF to link to yet
    assert page_client(history.outsider).get(status_url).status_code == 404
