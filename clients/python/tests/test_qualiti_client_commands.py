"""`qualiti upload model|data`, `qualiti run show`, `qualiti findings`."""

import hashlib
import json
from pathlib import Path

from conftest import FAILING_RESULTS, TOKEN
from qualiti_client.cli import main


def _qualiti(url: str, *args: str) -> int:
    return main(["--url", url, "--token", TOKEN, "--no-progress", *args])


def test_it_uploads_a_model_and_prints_the_version(fake_qualiti, tmp_path: Path, capsys):
    model = tmp_path / "model.onnx"
    model.write_bytes(b"onnx bytes")

    assert _qualiti(fake_qualiti.url, "upload", "model", str(model), "--project", "p") == 0

    printed = json.loads(capsys.readouterr().out)
    assert printed["sha256"] == hashlib.sha256(b"onnx bytes").hexdigest()
    assert fake_qualiti.uploads == ["model.onnx"]


def test_it_uploads_data_with_its_role_and_target(fake_qualiti, tmp_path: Path, capsys):
    data = tmp_path / "train.csv"
    data.write_text("a,y\n1,0\n")

    code = _qualiti(
        fake_qualiti.url, "upload", "data", str(data), "--project", "p", "--role", "train",
        "--target", "y",
    )  # fmt: skip

    assert code == 0
    assert (fake_qualiti.datasets[0]["role"], fake_qualiti.datasets[0]["target_column"]) == (
        "train",
        "y",
    )


def test_uploading_a_missing_file_exits_2(fake_qualiti, tmp_path: Path):
    missing = str(tmp_path / "absent.csv")

    assert _qualiti(fake_qualiti.url, "upload", "model", missing, "--project", "p") == 2
    assert fake_qualiti.uploads == []


def test_run_show_prints_the_verdict_and_the_failures(fake_qualiti, capsys):
    fake_qualiti.verdict, fake_qualiti.results = "fail", FAILING_RESULTS
    fake_qualiti.runs.append({"id": 1, "project": "credit", "status": "running", "error": ""})

    assert _qualiti(fake_qualiti.url, "run", "show", "1") == 0

    out = capsys.readouterr().out
    assert f"Run 1: succeeded, 100% — {fake_qualiti.url}/projects/credit/runs/1/" in out
    assert "Verdict: failed" in out
    assert "blocking failure: demographic_parity [sex]" in out
    assert "fail: missing_values [age]" in out


def test_findings_lists_the_projects_findings(fake_qualiti, capsys):
    fake_qualiti.findings = [
        {"id": 4, "project": "credit", "severity": "high", "status": "open", "title": "Bias"},
        {"id": 5, "project": "other", "severity": "low", "status": "open", "title": "Other"},
    ]

    assert _qualiti(fake_qualiti.url, "findings", "--project", "credit") == 0

    assert capsys.readouterr().out == "#4 [high] open: Bias\n"
