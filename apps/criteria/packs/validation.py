"""A read pack checked whole, every problem collected before any is reported: the JSON
schema first, then what a schema cannot say (the engine's registry of checks, each
check's parameters, the requirements named, the codes once namespaced, the model's own
rules). `pack_validate` returns the pack's rows-to-be, or raises one refusal listing all."""

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any

import jsonschema
from django.core.exceptions import ValidationError
from django.db import models

from apps.criteria.models import CriterionKind, CriterionPack, CriterionTemplate
from apps.criteria.packs import (
    SEPARATOR,
    SHIPPED_PACK,
    pack_schema,
    stored_code,
    stored_framework_id,
)
from apps.criteria.packs.problems import PackProblem, Path, pack_refusal
from apps.criteria.packs.reading import PackDocument
from apps.criteria.packs.schema_errors import problem, schema_problems
from apps.criteria.packs.valid import (
    FRAMEWORK_FIELDS,
    REQUIREMENT_FIELDS,
    ValidPack,
    template_values,
    valid_framework,
    valid_template,
)
from apps.evaluations import engine
from apps.standards.models import Framework, Requirement

# A model's field name → the pack's, for the model's own errors.
PACK_NAMES = {"identifier": "id"}


def pack_validate(document: PackDocument) -> ValidPack:
    """The pack's rows-to-be; InvalidInput naming every problem when there is any. Call it
    in the transaction that writes the pack: it locks the pack's row to compare versions."""
    validator = jsonschema.Draft202012Validator(pack_schema())
    problems = list(schema_problems(validator, document.data, document=document))
    if not isinstance(document.data, dict):
        raise pack_refusal(problems)
    # Where the schema found problems: by entry (or header), the fields concerned. The
    # checks below look only at fields of the right form, so they add to those problems.
    bad: dict[Path, set[str]] = {}
    for found in problems:
        bad.setdefault(problem_path(found), set()).add(re.split(r"[.\[]", found.field)[0])
    data = document.data
    # The header serves the checks below when its id and version are of the right form.
    header = data.get("pack") if not bad.get(("pack",), set()) & {"", "id", "version"} else None
    # The shipped pack's id is refused (below); its entries are checked without a namespace.
    pack_id = header["id"] if header and header["id"] != SHIPPED_PACK else None
    if header:
        problems += _header_problems(document, header)
    frameworks = _entries(data, "frameworks")
    templates = _entries(data, "templates")
    problems += _duplicates(document, "frameworks", "id", frameworks)
    problems += _duplicates(document, "templates", "code", templates)
    own = {
        entry["id"]: _requirement_ids(entry)
        for entry in frameworks.values()
        if isinstance(entry.get("id"), str)
    }
    for index, entry in frameworks.items():
        problems += _framework_problems(
            document, index, entry, pack_id, bad.get(("frameworks", index), set())
        )
    sound = [e for i, e in templates.items() if "requirements" not in bad.get(("templates", i), ())]
    known = _requirements_here(sound, own)
    taken = _taken_by_another_pack(list(templates.values()), pack_id)
    context = Context(pack_id, engine.registered_checks(), own, known, taken)
    for index, entry in templates.items():
        problems += _template_problems(
            document, index, entry, context, bad.get(("templates", index), set())
        )
    if problems or pack_id is None or header is None:
        raise pack_refusal(problems)
    return ValidPack(
        id=pack_id,
        version=header["version"],
        name=header.get("name", ""),
        description=header.get("description", ""),
        templates=[valid_template(entry, pack_id, own) for entry in templates.values()],
        frameworks=[valid_framework(entry, pack_id) for entry in frameworks.values()],
    )


def problem_path(found: PackProblem) -> Path:
    """The entry (or the header) a problem lies in, as a path."""
    if found.section == "pack":
        return ("pack",)
    if found.entry is not None:
        return (found.section, found.entry - 1)
    return ()


def _entries(data: dict, section: str) -> dict[int, dict]:
    entries = data.get(section)
    if not isinstance(entries, list):
        return {}
    return {index: entry for index, entry in enumerate(entries) if isinstance(entry, dict)}


def _requirement_ids(framework: dict) -> set[str]:
    items = framework.get("requirements")
    if not isinstance(items, list):
        return set()
    return {
        item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)
    }


def _header_problems(document: PackDocument, header: dict) -> list[PackProblem]:
    if header["id"] == SHIPPED_PACK:
        message = f"{SHIPPED_PACK} is the shipped catalogue's id: give your pack its own."
        return [problem(document, ("pack", "id"), message)]
    imported = CriterionPack.objects.select_for_update().filter(slug=header["id"]).first()
    if imported is None or header["version"] >= imported.version:
        return []
    return [
        problem(
            document,
            ("pack", "version"),
            f"version {imported.version} of {imported.slug} was imported here on "
            f"{imported.imported_at:%Y-%m-%d}; this file is older. Raise its version to "
            "import it anyway.",
        )
    ]


def _duplicates(
    document: PackDocument, section: str, key: str, entries: dict[int, dict]
) -> list[PackProblem]:
    first: dict[str, int] = {}
    problems = []
    for index, entry in entries.items():
        name = entry.get(key)
        if not isinstance(name, str):
            continue
        if name in first:
            problems.append(
                problem(
                    document,
                    (section, index, key),
                    f"{name!r} is already the {key} of entry {first[name] + 1}; each must be "
                    "unique in the pack.",
                )
            )
        first.setdefault(name, index)
    return problems


def _framework_problems(
    document: PackDocument, index: int, entry: dict, pack_id: str | None, bad: set[str]
) -> list[PackProblem]:
    where: Path = ("frameworks", index)
    problems = []
    if "id" not in bad:
        identifier = stored_framework_id(pack_id, entry["id"]) if pack_id else entry["id"]
        problems += _too_long(document, (*where, "id"), identifier, Framework, "identifier")
    if bad:
        return problems  # the model's rules are for a framework of the right form
    framework = Framework(identifier=entry["id"], revision=entry.get("revision", 1))
    for name in FRAMEWORK_FIELDS:
        setattr(framework, name, entry.get(name, ""))
    # The identifier is namespaced with ":", which a slug does not allow; its form was
    # checked against the pack's schema instead.
    problems += _model_problems(document, where, framework, exclude=["identifier"])
    seen: set[str] = set()
    for position, item in enumerate(entry.get("requirements", [])):
        at: Path = (*where, "requirements", position)
        if item["id"] in seen:
            problems.append(
                problem(document, (*at, "id"), "is already a requirement of this framework.")
            )
        seen.add(item["id"])
        requirement = Requirement(identifier=item["id"], position=position)
        for name in REQUIREMENT_FIELDS:
            setattr(requirement, name, item.get(name, ""))
        problems += _model_problems(document, at, requirement, exclude=["framework"])
    return problems


def _too_long(
    document: PackDocument, path: Path, stored: str, model: type[models.Model], name: str
) -> list[PackProblem]:
    limit = getattr(model._meta.get_field(name), "max_length", None) or 0
    if len(stored) <= limit:
        return []
    message = (
        f"stored as {stored!r} it would have {len(stored)} characters, more than {limit}: "
        "shorten it or the pack's id."
    )
    return [problem(document, path, message)]


@dataclass(frozen=True)
class Context:
    """What every template's checks share."""

    pack_id: str | None
    checks: dict[str, Any]
    own: dict[str, set[str]]  # this pack's frameworks: id → requirement ids
    known: set[tuple[str, str]]  # the requirements here the templates name
    taken: dict[str, str]  # stored codes of the templates another pack holds → that pack


def _template_problems(
    document: PackDocument, index: int, entry: dict, context: Context, bad: set[str]
) -> list[PackProblem]:
    where: Path = ("templates", index)
    pack_id = context.pack_id
    problems = []
    code = ""
    if "code" not in bad:
        code = stored_code(pack_id, entry["code"]) if pack_id else entry["code"]
        problems += _too_long(document, (*where, "code"), code, CriterionTemplate, "code")
        if not problems and code in context.taken:
            message = f"{code!r} belongs to the pack {context.taken[code]}."
            problems.append(problem(document, (*where, "code"), message))
    if "kind" not in bad and entry.get("kind", CriterionKind.MEASURED) == CriterionKind.MEASURED:
        problems += _check_problems(document, where, entry, context.checks, bad)
    if "requirements" not in bad:
        for position, reference in enumerate(entry.get("requirements", [])):
            words = _reference_problem(reference, pack_id, context.own, context.known)
            if words:
                problems.append(problem(document, (*where, "requirements", position), words))
    if not problems and not bad:
        template = CriterionTemplate(code=code, pack=pack_id or "", version=entry.get("version", 1))
        for name, value in template_values(entry).items():
            setattr(template, name, value)
        exclude = ["pack"] if pack_id is None else []
        problems += _model_problems(document, where, template, exclude=exclude)
    return problems


def _taken_by_another_pack(templates: list[dict], pack_id: str | None) -> dict[str, str]:
    """Codes of other packs' templates among those of this pack. Imports cannot make one
    (codes carry their pack), but a row made by other means could."""
    if pack_id is None:
        return {}
    codes = {stored_code(pack_id, e["code"]) for e in templates if isinstance(e.get("code"), str)}
    return dict(
        CriterionTemplate.objects.filter(code__in=codes)
        .exclude(pack=pack_id)
        .values_list("code", "pack")
    )


def _check_problems(
    document: PackDocument, where: Path, entry: dict, checks: dict[str, Any], bad: set[str]
) -> list[PackProblem]:
    problems = []
    if "threshold" not in bad and not math.isfinite(entry["threshold"]):
        problems.append(problem(document, (*where, "threshold"), "must be a finite number."))
    elif not {"threshold", "metric"} & bad and entry["threshold"] is not None:
        out_of_range = engine.threshold_out_of_range(entry["metric"], entry["threshold"])
        if out_of_range:
            problems.append(problem(document, (*where, "threshold"), f"{out_of_range}."))
    if "check_key" in bad:
        return problems
    key = entry["check_key"]
    check = checks.get(key)
    if check is None:
        hint = difflib.get_close_matches(key, list(checks), n=1)
        as_written = document.text((*where, "check_key"), key)
        message = f"the engine has no check {as_written!r}"
        message += f"; did you mean {hint[0]}?" if hint else "."
        message += " The checks are listed at GET /api/v1/checks/."
        return [*problems, problem(document, (*where, "check_key"), message)]
    if "metric" not in bad and entry["metric"] not in check.metrics:
        problems.append(
            problem(
                document,
                (*where, "metric"),
                f"the check {key} does not report {entry['metric']!r}; it reports "
                f"{', '.join(sorted(check.metrics))}.",
            )
        )
    if "params" not in bad:
        schema = {"additionalProperties": False, **check.params_schema}
        problems += schema_problems(
            jsonschema.Draft202012Validator(schema),
            entry.get("params", {}),
            document=document,
            at=(*where, "params"),
            subject=f"the check {key}",
            noun="parameter",
        )
    return problems


def _requirements_here(templates: list[dict], own: dict[str, set]) -> set[tuple[str, str]]:
    """The (framework identifier, requirement id) pairs stored here among those the
    templates name outside their own pack: one query."""
    named = {
        reference.partition("/")[0]
        for entry in templates
        for reference in entry.get("requirements", [])
    } - set(own)
    if not named:
        return set()
    return set(
        Requirement.objects.filter(framework__identifier__in=named).values_list(
            "framework__identifier", "identifier"
        )
    )


def _reference_problem(
    reference: str, pack_id: str | None, own: dict[str, set], known: set[tuple[str, str]]
) -> str | None:
    framework, _, requirement = reference.partition("/")
    if pack_id and framework.startswith(f"{pack_id}{SEPARATOR}"):
        bare = framework.split(SEPARATOR, 1)[1]
        return f"name this pack's own framework without its prefix: {bare}/{requirement}."
    if framework in own:
        if requirement in own[framework]:
            return None
        return f"this pack's framework {framework} has no requirement {requirement!r}."
    if (framework, requirement) in known:
        return None
    if any(identifier == framework for identifier, _ in known):
        return f"the framework {framework} has no requirement {requirement!r}."
    return f"no framework {framework!r}, neither here nor in this pack."


def _model_problems(
    document: PackDocument, where: Path, instance: models.Model, *, exclude: list[str]
) -> list[PackProblem]:
    """The model's own validation (lengths, choices, links, the rules of each kind),
    uniqueness aside: the pack's namespacing and the checks above decide that."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return [
            problem(document, (*where, PACK_NAMES.get(name, name)), " ".join(messages))
            for name, messages in error.message_dict.items()
        ]
    return []
