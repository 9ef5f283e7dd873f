"""The GitHub Actions and GitLab CI jobs of README's "CI gate" section: valid YAML, and a
`qualiti` command line that the client's own parser accepts. Read from README itself, so
the examples cannot rot."""

import re
import shlex
from pathlib import Path

import pytest
from qualiti_client.cli import build_parser

yaml = pytest.importorskip("yaml")
README = Path(__file__).resolve().parents[3] / "README.md"


def _jobs() -> list[dict]:
    if not README.is_file():
        pytest.skip("README.md is not beside the client (installed on its own)")
    section = README.read_text(encoding="utf-8").split("## The CI gate", 1)[1].split("\n## ", 1)[0]
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", section, re.S)]


def _qualiti_commands(node: object) -> list[str]:
    if isinstance(node, str):
        return [node] if node.lstrip().startswith("qualiti ") else []
    items = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    return [command for item in items for command in _qualiti_commands(item)]


def test_readme_has_a_github_and_a_gitlab_job() -> None:
    github, gitlab = _jobs()

    assert "qualiti" in github["jobs"]
    assert gitlab["qualiti-gate"]["artifacts"]["reports"]["junit"] == "qualiti-junit.xml"


@pytest.mark.parametrize("index", [0, 1])
def test_the_jobs_run_a_gate_the_client_accepts(index: int) -> None:
    commands = _qualiti_commands(_jobs()[index])

    assert len(commands) == 1
    args = build_parser().parse_args(shlex.split(commands[0])[1:])
    assert args.command == "gate"
    assert args.wait
    assert args.junit == Path("qualiti-junit.xml")
