"""The body a receiver gets and its signature: what a receiver checks must verify."""

import datetime
import hashlib
import hmac
import json
import uuid

from apps.webhooks.payloads import body_make, signature, slack_text
from tests.webhooks.receiver import signature_ok

EVENT_ID = uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e")
WHEN = datetime.datetime(2026, 6, 1, 9, 30, tzinfo=datetime.UTC)
FINDING = {
    "id": 12,
    "title": "Recall < 0.72 for sex=F & age>60",
    "status": "open",
    "severity": "high",
    "url": "https://qualiti.example.com/findings/12/",
}


def made(format: str, event: str = "finding.opened", data=None) -> str:
    return body_make(
        event_name=event,
        event_id=EVENT_ID,
        timestamp=WHEN,
        project_slug="credit",
        data=data or FINDING,
        format=format,
    )


def test_the_signature_is_the_hmac_sha256_of_the_raw_body_keyed_with_the_secret():
    secret = "s3cr3t-ünïcode"
    body = made("json").encode("utf-8")

    header = signature(secret=secret, body=body)

    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    assert header == f"sha256={expected}"
    assert signature_ok(secret, body, header)
    assert not signature_ok(secret, body.replace(b"open", b"shut"), header)
    assert not signature_ok("another secret", body, header)


def test_the_json_body_carries_id_and_timestamp_inside_what_is_signed():
    body = json.loads(made("json"))

    assert body == {
        "id": str(EVENT_ID),
        "event": "finding.opened",
        "timestamp": "2026-06-01T09:30:00+00:00",
        "project": "credit",
        "data": FINDING,
    }


def test_the_slack_body_is_one_escaped_line_with_a_link_and_the_same_ids():
    body = json.loads(made("slack"))

    assert body["id"] == str(EVENT_ID) and body["event"] == "finding.opened"
    assert body["text"] == (
        "[credit] Finding 12 (high) opened: Recall &lt; 0.72 for sex=F &amp; age&gt;60 "
        "<https://qualiti.example.com/findings/12/|Finding 12>"
    )


def test_each_event_has_a_slack_line():
    run = {"id": 7, "status": "succeeded", "verdict": "fail", "url": "https://q/runs/7/"}
    comment = {"id": 3, "finding_id": 12, "author": "dev", "body": "b", "url": "https://q/c"}

    assert slack_text("run.finished", "credit", run) == (
        "[credit] Run 7 succeeded, verdict fail <https://q/runs/7/|Run 7>"
    )
    assert slack_text("comment.created", "credit", comment) == (
        "[credit] dev commented on finding 12 <https://q/c|the comment>"
    )
    assert "open → verified" in slack_text(
        "finding.status_changed", "credit", {**FINDING, "from": "open", "to": "verified"}
    )
    assert "assigned to dev" in slack_text(
        "finding.assigned", "credit", {**FINDING, "assignee": "dev"}
    )
