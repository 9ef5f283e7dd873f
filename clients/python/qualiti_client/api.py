"""Qualiti's REST API as the gate uses it: requests with retries and back-off, uploads with a
progress bar, and lookups of files already in a project by their sha256."""

import hashlib
import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

# Answers that say "try again later": the request was not carried out.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
CHUNK_SIZE = 1024 * 1024


class QualitiClientError(Exception):
    """A problem the gate reports on one line and turns into an exit code."""

    exit_code = 3


class RefusedError(QualitiClientError):
    """The server refused the request (4xx): bad input, an unknown project or plan, a refused
    upload. The message is the server's reason."""

    exit_code = 2


class ServerError(QualitiClientError):
    """The server or the network failed, and kept failing through the retries; or the wait
    reached its timeout."""

    exit_code = 3


def file_sha256(path: Path) -> str:
    """The file's sha256, as the server computes it on upload."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def refusal_reason(response: httpx.Response) -> str:
    """The server's refusal on one line: its `detail`, or its field errors."""
    try:
        body = response.json()
    except ValueError:
        lines = response.text.strip().splitlines()
        return lines[0][:300] if lines else f"HTTP {response.status_code}"
    if isinstance(body, list):
        return " ".join(str(item) for item in body)
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    # Qualiti's domain errors: {"detail": "…", "code": …, "field": …} (and model validation's
    # "errors"); DRF's field errors: {"<field>": ["…"]}.
    detail = body.get("detail")
    errors = body.get("errors") if isinstance(detail, str) else body
    parts = [detail] if isinstance(detail, str) else []
    for name, messages in (errors if isinstance(errors, dict) else {}).items():
        text = " ".join(map(str, messages)) if isinstance(messages, list) else str(messages)
        parts.append(text if name in ("detail", "non_field_errors") else f"{name}: {text}")
    return " ".join(parts) or f"HTTP {response.status_code}"


class _ProgressFile(io.BufferedReader):
    """A file whose reads move a progress bar (httpx streams a multipart file by reading it
    in chunks, so the file is never held in memory)."""

    def __init__(self, path: Path, bar: tqdm) -> None:
        super().__init__(io.FileIO(path, "rb"))
        self._bar = bar

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = super().read(size)
        self._bar.update(len(chunk))
        return chunk


class Client:
    """One server, one token. Every request is retried on network errors and on the answers
    that mean "later" (429, 502, 503, 504), waiting `backoff`, then twice as long, …"""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        retries: int = 4,
        backoff: float = 1.0,
        request_timeout: float = 300.0,
        progress: bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.progress = progress
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Token {token}", "Accept": "application/json"},
            timeout=httpx.Timeout(request_timeout, connect=10.0),
        )

    def close(self) -> None:
        self._http.close()

    # --- plumbing ------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        data: dict[str, Any] | None = None,
        upload: tuple[str, Path] | None = None,
    ) -> Any:
        """The answer's JSON. 4xx raises RefusedError with the server's reason; network
        errors and "later" answers are retried, then raise ServerError."""
        url = path if path.startswith("http") else f"/api/v1/{path.lstrip('/')}"
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            try:
                if upload is None:
                    response = self._http.request(method, url, params=params, json=json, data=data)
                else:  # the file is opened again for each attempt
                    response = self._upload(method, url, data=data or {}, upload=upload)
            except httpx.TransportError as error:
                problem = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
                continue
            if response.status_code in RETRYABLE_STATUSES or response.status_code >= 500:
                problem = f"HTTP {response.status_code} from {response.request.url}"
                if response.status_code in RETRYABLE_STATUSES:
                    continue
                raise ServerError(f"The server failed: {problem}")
            if response.status_code >= 400:
                raise RefusedError(refusal_reason(response))
            if response.status_code == 204 or not response.content:
                return None
            return response.json()
        raise ServerError(
            f"The server could not be reached after {self.retries + 1} attempts: {problem}"
        )

    def _upload(
        self, method: str, url: str, *, data: dict[str, Any], upload: tuple[str, Path]
    ) -> httpx.Response:
        field, path = upload
        size = path.stat().st_size
        with (
            tqdm(
                total=size,
                unit="B",
                unit_scale=True,
                desc=f"Uploading {path.name}",
                disable=not self.progress,
                leave=False,
            ) as bar,
            _ProgressFile(path, bar) as handle,
        ):
            files = {field: (path.name, handle, "application/octet-stream")}
            return self._http.request(method, url, data=data, files=files)

    def list_all(self, path: str, params: dict[str, Any]) -> Iterator[dict]:
        """Every item of a paginated list, following `next`."""
        page = self.request("GET", path, params={**params, "limit": 500})
        while True:
            yield from page["results"]
            if not page.get("next"):
                return
            page = self.request("GET", page["next"])

    def first(self, path: str, params: dict[str, Any]) -> dict | None:
        page = self.request("GET", path, params={**params, "limit": 1})
        return page["results"][0] if page["results"] else None

    # --- resources -----------------------------------------------------------------------

    def model_version_with_sha256(self, *, project: str, sha256: str) -> dict | None:
        """The project's latest model version whose artifact has this sha256."""
        params = {"project": project, "sha256": sha256, "ordering": "-sequence"}
        # An older server that ignores the filter lists every version: compare each.
        return next(
            (item for item in self.list_all("model-versions/", params) if item["sha256"] == sha256),
            None,
        )

    def dataset_with_sha256(self, *, project: str, sha256: str, role: str) -> dict | None:
        """The project's latest dataset of this role whose file has this sha256."""
        params = {"project": project, "sha256": sha256, "role": role, "ordering": "-created_at"}
        return next(
            (
                item
                for item in self.list_all("datasets/", params)
                if item["sha256"] == sha256 and item["role"] == role
            ),
            None,
        )

    def dataset_latest(self, *, project: str, role: str) -> dict | None:
        return self.first(
            "datasets/", {"project": project, "role": role, "ordering": "-created_at"}
        )

    def model_version_upload(self, *, project: str, path: Path, label: str) -> dict:
        return self.request(
            "POST",
            "model-versions/",
            data={"project": project, "label": label},
            upload=("artifact", path),
        )

    def dataset_upload(
        self,
        *,
        project: str,
        path: Path,
        role: str,
        target_column: str,
        sensitive_columns: list[str],
    ) -> dict:
        fields: dict[str, Any] = {
            "project": project,
            "name": path.name,
            "role": role,
            "target_column": target_column,
        }
        if sensitive_columns:
            fields["sensitive_columns"] = sensitive_columns
        return self.request("POST", "datasets/", data=fields, upload=("file", path))

    def dataset_get(self, dataset_id: int) -> dict:
        return self.request("GET", f"datasets/{dataset_id}/")

    def approved_plan(self, *, project: str, name: str) -> dict:
        plan = self.first("test-plans/", {"project": project, "name": name, "status": "approved"})
        if plan is None:
            raise RefusedError(f"The project {project!r} has no approved plan named {name!r}.")
        return plan

    def run_create(self, **fields: Any) -> dict:
        return self.request("POST", "runs/", json=fields)

    def run_get(self, run_id: int) -> dict:
        return self.request("GET", f"runs/{run_id}/")

    def check_results(self, run_id: int) -> list[dict]:
        return list(self.list_all("check-results/", {"run": run_id, "ordering": "id"}))

    def findings(self, *, project: str) -> list[dict]:
        return list(self.list_all("findings/", {"project": project}))

    def run_url(self, run: dict) -> str:
        """The run's page, for people."""
        return f"{self.base_url}/projects/{run['project']}/runs/{run['id']}/"
