"""The whole gate of a .skops file: container, object tree, members, then types."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apps.evaluations.engine.gate.archive import Archive, ArchiveLimits, refuse
from apps.evaluations.engine.gate.skops_schema import (
    SchemaFacts,
    members_check,
    schema_read,
    schema_walk,
    skeleton,
)
from apps.evaluations.engine.loading.allowlist import trusted_skops_types

TRUST_ADVICE = (
    "Qualiti loads scikit-learn, NumPy and SciPy types only; to trust another type "
    "deliberately, an administrator adds its name to QUALITI_RUN_TRUSTED_TYPES (on the "
    "command line: --trusted-type NAME)."
)


@dataclass(frozen=True)
class SkopsFile:
    facts: SchemaFacts
    beyond_skops_defaults: list[str]  # types skops does not trust by itself, all allowed here
    members: int
    uncompressed_bytes: int

    def describe(self) -> dict[str, Any]:
        """What the upload shows of the archive."""
        return {
            "protocol": self.facts.protocol,
            "members": self.members,
            "uncompressed_bytes": self.uncompressed_bytes,
            "types": sorted(self.facts.types),
        }


def skops_file_check(
    path: str | Path, *, limits: ArchiveLimits | None = None, extra_trusted: Sequence[str] = ()
) -> SkopsFile:
    """Refuse (ArtifactRefused) anything but a sound skops archive of trusted types."""
    import skops.io

    with Archive(Path(path), limits or ArchiveLimits()) as archive:
        schema_bytes, schema = schema_read(archive)
        facts = schema_walk(schema)
        members_check(archive, facts)
        names = archive.names
        unpacked = sum(member.file_size for member in archive.members)
    try:
        # The tree's walk is bounded now; skops lists what it would not trust by itself.
        untrusted = skops.io.get_untrusted_types(data=skeleton(schema_bytes, names))
    except Exception as error:  # skops raises many kinds on a schema it cannot read
        raise refuse(f"skops cannot read its schema ({type(error).__name__}: {error}).") from error
    allowed = trusted_skops_types(tuple(extra_trusted))
    refused = sorted(name for name in untrusted if name not in allowed)
    if refused:
        shown = ", ".join(refused[:8]) + (
            f" and {len(refused) - 8} more" if len(refused) > 8 else ""
        )
        raise refuse(f"it would construct types Qualiti does not trust ({shown}). {TRUST_ADVICE}")
    return SkopsFile(
        facts=facts,
        beyond_skops_defaults=list(untrusted),
        members=len(names),
        uncompressed_bytes=unpacked,
    )
