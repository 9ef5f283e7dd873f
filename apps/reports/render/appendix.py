"""A report's appendix: how each check measures (the engine registry's documentation), the
sampling each result used, and the software that produced the numbers."""

import importlib.metadata
import os
import platform
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

from apps.criteria.models import Category
from apps.evaluations import engine
from apps.evaluations.models import CheckResult

SOFTWARE = ["Django", "scikit-learn", "pandas", "numpy", "scipy", "fairlearn", "plotly"]


def check_methods(results: Iterable[CheckResult]) -> list[dict[str, Any]]:
    """Per check the run used (in key order): its name, what it measures, why, the metrics
    and the reference, from the registry."""
    registered = engine.registered_checks()
    methods = []
    for key in sorted({result.check_key for result in results}):
        check = registered.get(key)
        if check is None:
            methods.append({"key": key, "missing": True})
            continue
        described = check.describe()
        methods.append({
            "key": key,
            "name": check.name,
            "category": Category(check.category).label,
            "what": described["docs"]["what"],
            "why": described["docs"]["why"],
            "reference": described["docs"]["reference"],
            "metrics": sorted(described["metrics"].items()),
            "reads": described["reads_in_words"],
        })  # fmt: skip
    return methods


def sampling_words(sampling: dict[str, Any]) -> str:
    """A result's sampling in a line: the method, its resamples, rows of rows, seed."""
    parts = [str(sampling.get("method", "sampling"))]
    if sampling.get("resamples"):
        parts.append(f"{sampling['resamples']} resamples")
    if sampling.get("rows") is not None:
        of_rows = sampling.get("of_rows")
        shown = f"{sampling['rows']} rows"
        if of_rows is not None and of_rows != sampling["rows"]:
            shown += f" of {of_rows}"
        parts.append(shown)
    if sampling.get("seed") is not None:
        parts.append(f"seed {sampling['seed']}")
    extra = sorted(
        f"{key} {value}"
        for key, value in sampling.items()
        if key not in {"method", "resamples", "rows", "of_rows", "seed"}
        and isinstance(value, str | int | float)
    )
    return ", ".join(parts + extra)


def sampling_rows(results: Iterable[CheckResult]) -> list[dict[str, str]]:
    """Each result that sampled, and how (results that read every row are left out)."""
    return [
        {
            "check_key": result.check_key,
            "subject": result.subject,
            "sampling": sampling_words(result.sampling),
        }
        for result in sorted(results, key=lambda result: (result.check_key, result.subject))
        if isinstance(result.sampling, dict) and result.sampling
    ]


def _git_commit() -> str:
    """The commit this checkout is at, read from .git (no subprocess), or nothing."""
    git = Path(settings.BASE_DIR) / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            ref_file = git / ref
            if ref_file.exists():
                return ref_file.read_text().strip()[:12]
            packed = (git / "packed-refs").read_text().splitlines()
            return next((line.split()[0][:12] for line in packed if line.endswith(f" {ref}")), "")
        return head[:12]
    except OSError:
        return ""


def software_versions() -> list[tuple[str, str]]:
    """Qualiti's version (QUALITI_VERSION, else the git commit), Python and the libraries
    that computed and drew the results."""
    qualiti = os.environ.get("QUALITI_VERSION") or _git_commit() or "unknown"
    versions = [("Qualiti", qualiti), ("Python", platform.python_version())]
    for package in SOFTWARE:
        try:
            versions.append((package, importlib.metadata.version(package)))
        except importlib.metadata.PackageNotFoundError:
            versions.append((package, "not installed"))
    return versions
