"""The audit of a model file, as uploads and the command line run it: the gate and a load
in a sandbox child under CPU-time, wall-time and memory limits, then one row of zeros
through the model. Whatever goes wrong becomes one ArtifactRefused sentence; nothing of it
runs in the caller's process.
"""

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from apps.evaluations.engine.child_process import SandboxLimits
from apps.evaluations.engine.errors import ArtifactRefused, EngineError, ModelCrashed
from apps.evaluations.engine.gate.archive import ArchiveLimits
from apps.evaluations.engine.runner import ModelSandbox


@dataclass(frozen=True)
class AuditLimits:
    seconds: float = 20.0  # CPU and wall time for the whole audit
    memory_mb: int = 4096
    archive: ArchiveLimits = field(default_factory=ArchiveLimits)


def _refusal(crash: ModelCrashed, stage: str, limits: AuditLimits) -> ArtifactRefused:
    if crash.cause in ("timeout", "cpu"):
        reason = (
            f"it did not finish {stage} within {limits.seconds:g} s (an endless loop, or a "
            "file built to explode as it is read)"
        )
    elif crash.cause == "memory":
        reason = f"it needed more than the {limits.memory_mb} MB allowed while {stage}"
    else:
        reason = f"it crashed its sandbox while {stage} ({crash.message})"
    return ArtifactRefused(f"This model was refused: {reason}.")


def model_file_audit(
    path: str | Path, *, trusted_types: Sequence[str] = (), limits: AuditLimits | None = None
) -> dict[str, Any]:
    """What the model is (format, task, classes, types or operator sets), or ArtifactRefused.

    The model loads as a run would load it, through the same gate, and must answer one
    row of zeros without hanging or crashing (an exception of its own is fine: zeros need
    not be a valid input)."""
    limits = limits or AuditLimits()
    sandbox = ModelSandbox(
        path,
        limits=SandboxLimits(
            memory_mb=limits.memory_mb,
            load_timeout_s=limits.seconds + 2,  # the CPU limit usually strikes first
            cpu_seconds=limits.seconds,
        ),
        trusted_types=trusted_types,
        archive_limits=asdict(limits.archive),
    )
    try:
        return sandbox_audit(sandbox, limits)
    finally:
        sandbox.close()


def sandbox_audit(sandbox: ModelSandbox, limits: AuditLimits) -> dict[str, Any]:
    """The audit in a sandbox that is not started yet and that the caller keeps: the
    command line audits its model in the process that then predicts, under that sandbox's
    wall-time limit instead of a CPU-time one, rather than load it twice."""
    started, stage = time.monotonic(), "loading"
    try:
        sandbox.start(audit=True)
        stage = "answering one row"
        remaining = max(1.0, limits.seconds + 2 - (time.monotonic() - started))
        note = sandbox.smoke(timeout=remaining)
    except ModelCrashed as crash:
        raise _refusal(crash, stage, limits) from crash
    except ArtifactRefused:
        raise
    except EngineError as error:
        raise ArtifactRefused(error.message) from error
    return {**(sandbox.audit or {}), "format": sandbox.format, "one_row": note or "ok"}
