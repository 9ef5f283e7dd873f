"""Criterion packs: templates and frameworks shared between organisations as YAML.

The format is the JSON schema beside this file (pack.schema.json, served at
GET /api/v1/criterion-templates/pack-schema/):

    pack: {id: acme, version: 3, name: ACME's criteria}
    templates:
      - {code: FAIR-01, name: ..., category: fairness, check_key: fairness.classification,
         metric: demographic_parity_ratio, comparator: ">=", threshold: 0.8, severity: high,
         rationale: ..., guidance: ..., requirements: [eu-ai-act/art-10-2-f]}
    frameworks:
      - {id: acme-ai-policy, name: ..., version: "2025", url: ..., requirements: [...]}

Identifiers are namespaced per pack: acme's template FAIR-01 is stored with pack "acme" and
code "acme:FAIR-01", its framework acme-ai-policy as "acme:acme-ai-policy". So an import can
only ever write its own pack's rows: it never overwrites the shipped catalogue (pack
"qualiti", codes without a prefix, which cannot be imported) nor another pack's templates.

Rooms: `reading` (the YAML, safely), `validation` (every error at once), `services` (the
import, all or nothing), `export` (the YAML of a pack).
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).parent / "pack.schema.json"

SHIPPED_PACK = "qualiti"
SEPARATOR = ":"
# What the shipped pack says about itself in an export; raise the version with a migration
# that changes the shipped catalogue.
SHIPPED_PACK_HEADER: dict[str, Any] = {
    "id": SHIPPED_PACK,
    "version": 1,
    "name": "Qualiti's catalogue",
    "description": "The criterion templates and frameworks shipped with Qualiti.",
}


@cache
def pack_schema() -> dict[str, Any]:
    """The pack format's JSON schema."""
    return json.loads(SCHEMA_FILE.read_text())


def stored_code(pack: str, code: str) -> str:
    """The catalogue code of a pack's template: `acme:FAIR-01`; the shipped pack's bare."""
    return code if pack == SHIPPED_PACK else f"{pack}{SEPARATOR}{code}"


def stored_framework_id(pack: str, framework_id: str) -> str:
    """The identifier a pack's framework is stored under, namespaced like the codes."""
    return stored_code(pack, framework_id)


def pack_of_framework(identifier: str) -> str:
    """The pack a stored framework belongs to: its prefix, or the shipped pack."""
    prefix, separator, _ = identifier.partition(SEPARATOR)
    return prefix if separator else SHIPPED_PACK


def local_id(pack: str, identifier: str) -> str:
    """A stored code or framework id as its pack writes it."""
    return identifier.removeprefix(f"{pack}{SEPARATOR}") if pack != SHIPPED_PACK else identifier
