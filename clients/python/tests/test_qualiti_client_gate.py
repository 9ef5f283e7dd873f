"""`qualiti gate` end to end against the fake server: exit codes, outputs, reuse."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import FAILING_RESULTS, TOKEN
from qualiti_client.api import ServerError
from qualiti_client.cli import main
from qualiti_client.gate import poll_delays, verdict_exit_code


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    model = tmp_path / "model.skops"
    model.write_bytes(b"model bytes")
    data = tmp_path / "eval.csv"
    data.write_text("age,sex,y\n30,f,1\n40,m,0\n")
    reference = tmp_path / "reference.csv"
    reference.write_text("age,sex,y\n31,f,1\n")
    return {"model": model, "data": data, "reference": reference}


def _gate(url: str, files: dict[str, Path], *extra: str) -> int:
    return main(
        [
            "--url", url, "--token", TOKEN, "--no-progress", "--backoff", "0.01",
            "gate", "--project", "credit", "--plan", "release",
            "--model", str(files["model"]), "--data", str(files["data"]),
            "--poll-interval", "0.01", *extra,
        ]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("verdict", "fail_on_warnings", "code"),
    [
        ("pass", False, 0),
        ("pass_with_warnings", False, 0),
        ("pass_with_warnings", True, 1),
        ("fail", False, 1),
        ("fail", True, 1),
    ],
)
def test_the_verdict_decides_the_exit_code(verdict: str, fail_on_warnings: bool, code: int) -> None:
    assert verdict_exit_code(verdict, fail_on_warnings=fail_on_warnings) == code


def test_a_run_without_verdict_is_a_server_error() -> None:
    with pytest.raises(ServerError):
        verdict_exit_code(None)


def test_a_failing_model_exits_1_with_a_junit_failure(fake_qualiti, files, tmp_path, capsys):
    fake_qualiti.verdict, fake_qualiti.results = "fail", FAILING_RESULTS
    junit, summary = tmp_path / "junit.xml", tmp_path / "summary.md"

    code = _gate(fake_qualiti.url, files, "--junit", str(junit), "--markdown", str(summary))

    assert code == 1
    out = capsys.readouterr().out
    assert f"{fake_qualiti.url}/projects/credit/runs/1/" in out
    assert "Verdict: failed" in out
    assert "blocking failure: demographic_parity [sex]" in out
    failures = ET.parse(junit).getroot().findall(".//failure")
    assert len(failures) == 2
    assert "### Qualiti gate: failed" in summary.read_text()


def test_a_passing_model_exits_0(fake_qualiti, files):
    assert _gate(fake_qualiti.url, files, "--wait") == 0
    run = fake_qualiti.runs[0]
    assert (run["test_plan"], run["model_version"], run["dataset"]) == (7, 1, 1)


def test_warnings_fail_the_gate_when_asked(fake_qualiti, files, capsys):
    fake_qualiti.verdict, fake_qualiti.results = "pass_with_warnings", FAILING_RESULTS[2:3]

    assert _gate(fake_qualiti.url, files, "--wait") == 0
    assert _gate(fake_qualiti.url, files, "--fail-on", "warnings") == 1
    assert "warning: missing_values [age]" in capsys.readouterr().out


def test_a_second_gate_with_the_same_files_uploads_nothing(fake_qualiti, files, capsys):
    args = ("--reference", str(files["reference"]), "--wait")
    assert _gate(fake_qualiti.url, files, *args) == 0
    # The files go up side by side: in no particular order.
    assert sorted(fake_qualiti.uploads) == ["eval.csv", "model.skops", "reference.csv"]

    assert _gate(fake_qualiti.url, files, *args) == 0

    assert sorted(fake_qualiti.uploads) == ["eval.csv", "model.skops", "reference.csv"]
    assert "reusing version v1 (same sha256)" in capsys.readouterr().out
    reference = next(d for d in fake_qualiti.datasets if d["role"] == "reference")
    assert fake_qualiti.runs[1]["model_version"] == 1
    assert fake_qualiti.runs[1]["reference_dataset"] == reference["id"]


def test_the_same_data_named_with_another_target_is_uploaded_again(fake_qualiti, files):
    assert _gate(fake_qualiti.url, files, "--target", "y") == 0
    assert _gate(fake_qualiti.url, files, "--target", "y") == 0
    assert sorted(fake_qualiti.uploads) == ["eval.csv", "model.skops"]

    assert _gate(fake_qualiti.url, files, "--target", "age") == 0

    assert sorted(fake_qualiti.uploads) == ["eval.csv", "eval.csv", "model.skops"]
    assert fake_qualiti.runs[-1]["dataset"] == 2


def test_it_shows_the_runs_progress(fake_qualiti, files, capsys):
    code = main(
        ["--url", fake_qualiti.url, "--token", TOKEN, "gate", "--project", "credit",
         "--plan", "release", "--model", str(files["model"]), "--data", str(files["data"]),
         "--wait", "--poll-interval", "0.01"]
    )  # fmt: skip

    assert code == 0
    err = capsys.readouterr().err
    assert "Uploading model.skops" in err
    assert "Run: 100%" in err


def test_a_changed_file_is_uploaded_again(fake_qualiti, files):
    assert _gate(fake_qualiti.url, files, "--wait") == 0
    files["model"].write_bytes(b"the fixed model")

    assert _gate(fake_qualiti.url, files, "--wait") == 0

    assert sorted(fake_qualiti.uploads[:2]) == ["eval.csv", "model.skops"]
    assert fake_qualiti.uploads[2:] == ["model.skops"]


def test_the_target_defaults_to_the_latest_dataset_of_the_role(fake_qualiti, files, tmp_path):
    assert _gate(fake_qualiti.url, files, "--target", "y") == 0
    other = tmp_path / "eval2.csv"
    other.write_text("age,sex,y\n50,m,1\n")

    assert _gate(fake_qualiti.url, {**files, "data": other}) == 0

    assert [item["target_column"] for item in fake_qualiti.datasets] == ["y", "y"]


def test_a_refused_upload_exits_2_with_the_reason(fake_qualiti, files, capsys):
    fake_qualiti.refuse_model = "The file is not a skops archive."

    assert _gate(fake_qualiti.url, files, "--wait") == 2
    assert "qualiti: The file is not a skops archive." in capsys.readouterr().err


def test_an_unknown_plan_exits_2(fake_qualiti, files, capsys):
    code = main(
        ["--url", fake_qualiti.url, "--token", TOKEN, "gate", "--project", "credit",
         "--plan", "nope", "--model", str(files["model"]), "--data", str(files["data"])]
    )  # fmt: skip

    assert code == 2
    assert "no approved plan named 'nope'" in capsys.readouterr().err


def test_a_missing_file_and_missing_arguments_exit_2(fake_qualiti, files, tmp_path):
    assert _gate(fake_qualiti.url, {**files, "model": tmp_path / "absent.skops"}) == 2
    assert main(["--url", fake_qualiti.url, "--token", TOKEN, "gate"]) == 2
    assert main(["gate", "--project", "p", "--plan", "x", "--model", "m", "--data", "d"]) in (2,)


def test_a_server_that_stays_unavailable_exits_3(fake_qualiti, files, capsys):
    fake_qualiti.unavailable = 100

    assert _gate(fake_qualiti.url, files, "--wait") == 3
    assert "after 5 attempts" in capsys.readouterr().err


def test_a_server_stopped_mid_run_exits_3_after_its_retries(fake_qualiti, files, capsys):
    fake_qualiti.stop_after_launch = True

    assert _gate(fake_qualiti.url, files, "--wait") == 3
    assert "after 5 attempts" in capsys.readouterr().err
    assert sum(line.startswith("GET /api/v1/runs/1/") for line in fake_qualiti.requests) == 5


def test_a_run_past_the_timeout_exits_3(fake_qualiti, files, capsys):
    fake_qualiti.run_never_finishes = True

    assert _gate(fake_qualiti.url, files, "--wait", "--timeout", "0.2") == 3
    assert "had not finished after 0.2 s" in capsys.readouterr().err


def test_without_wait_it_launches_and_returns(fake_qualiti, files, capsys):
    fake_qualiti.verdict = "fail"

    assert _gate(fake_qualiti.url, files) == 0
    assert "/projects/credit/runs/1/" in capsys.readouterr().out
    assert fake_qualiti.runs[0]["status"] == "queued"


def test_every_file_is_sent_before_any_validation_is_waited_for(fake_qualiti, files):
    fake_qualiti.validating_for = 3

    code = _gate(fake_qualiti.url, files, "--reference", str(files["reference"]))

    assert code == 0
    calls = [line.split("?")[0] for line in fake_qualiti.requests]
    uploads = [i for i, call in enumerate(calls) if call == "POST /api/v1/datasets/"]
    looks = [i for i, call in enumerate(calls) if call.startswith("GET /api/v1/datasets/1")]
    assert len(uploads) == 2 and len(looks) == 3
    assert max(uploads) < min(looks)  # the reference went up while the worker validated
    assert calls.index("POST /api/v1/runs/") > max(looks)


def test_the_pauses_between_looks_start_brisk_and_double_up_to_the_longest():
    delays = poll_delays(2.0)
    assert [next(delays) for _ in range(6)] == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]
    assert next(poll_delays(0.01)) == 0.01
