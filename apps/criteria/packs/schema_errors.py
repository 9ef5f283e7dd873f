"""JSON schema errors (jsonschema's) said as pack problems: the field, the value as written,
and what was expected, in words rather than in schema keywords."""

import difflib
from collections.abc import Iterator
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from apps.criteria.packs.problems import PackProblem, Path, located
from apps.criteria.packs.reading import PackDocument

TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping of fields",
    "array": "a list",
    "null": "empty",
}


def schema_problems(
    validator: jsonschema.protocols.Validator,
    instance: Any,
    *,
    document: PackDocument,
    at: Path = (),
    subject: str = "",
    noun: str = "field",
) -> Iterator[PackProblem]:
    """Every error of `instance` (found at `at` in the document) against the validator's
    schema, as problems. `subject` names what the schema describes ("the check x") and
    `noun` its members ("parameter"), for the unknown ones."""
    for error in validator.iter_errors(instance):
        yield from _problems(error, document=document, at=at, subject=subject, noun=noun)


def entry_code(document: PackDocument, path: Path) -> str | None:
    """The code (a template's) or id (a framework's) of the entry `path` lies in."""
    if len(path) < 2 or path[0] not in ("templates", "frameworks"):
        return None
    entries = document.data.get(path[0]) if isinstance(document.data, dict) else None
    index = path[1]
    if not isinstance(entries, list) or not isinstance(index, int) or index >= len(entries):
        return None
    entry = entries[index]
    name = (
        entry.get("code" if path[0] == "templates" else "id") if isinstance(entry, dict) else None
    )
    return name if isinstance(name, str) else None


def problem(document: PackDocument, path: Path, message: str, *, value: Any = ...) -> PackProblem:
    """A problem at `path`: its line, its entry's code, and the value there as written
    (`value=None` for a missing one; by default the document's value at `path`)."""
    if value is ...:
        value = document.text(path, _at(document.data, path))
    return located(
        path, message, line=document.line(path), code=entry_code(document, path), value=value
    )


def _at(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data


def _problems(
    error: jsonschema.ValidationError, *, document: PackDocument, at: Path, subject: str, noun: str
) -> Iterator[PackProblem]:
    path: Path = (*at, *error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    kind = "process" if "then" in error.schema_path else "measured"
    branch = "then" in error.schema_path or "else" in error.schema_path
    match error.validator:
        case "required":
            for name in error.validator_value:
                if isinstance(error.instance, dict) and name not in error.instance:
                    words = f"a {kind} template needs it." if branch else "this is required."
                    yield problem(document, (*path, name), words, value=None)
        case "additionalProperties":
            known = sorted(schema.get("properties", {}))
            for name in error.instance:
                if name not in known:
                    hint = difflib.get_close_matches(name, known, n=1)
                    words = f"{subject} has no {noun} {name!r}" if subject else f"unknown {noun}"
                    words += (
                        f"; did you mean {hint[0]}?"
                        if hint
                        else f"; use one of {', '.join(known)}."
                    )
                    yield problem(document, (*path, name), words, value=name)
        case "not" if branch:
            yield problem(document, path, f"a {kind} template has no {path[-1]}.")
        case "type":
            expected = error.validator_value
            names = expected if isinstance(expected, list) else [expected]
            words = " or ".join(TYPE_WORDS.get(str(name), str(name)) for name in names)
            if not path:
                yield problem(document, path, "a pack is a mapping with pack and templates.")
            else:
                yield problem(document, path, f"must be {words}.")
        case "enum":
            choices = ", ".join(str(choice) for choice in error.validator_value)
            yield problem(document, path, f"must be one of {choices}.")
        case "pattern":
            expected = schema.get("x-expected", f"of the form {error.validator_value}")
            yield problem(document, path, f"must be {expected}.")
        case "minLength" if error.validator_value == 1:
            yield problem(document, path, "must not be empty.")
        case "maxLength":
            yield problem(
                document, path, f"is too long: at most {error.validator_value} characters."
            )
        case "minimum" | "exclusiveMinimum":
            yield problem(document, path, f"must be at least {error.validator_value}.")
        case "maximum" | "exclusiveMaximum":
            yield problem(document, path, f"must be at most {error.validator_value}.")
        case "uniqueItems":
            yield problem(document, path, "lists the same item more than once.")
        case "anyOf" | "oneOf" if error.context:
            yield problem(document, path, f"does not fit: {best_match(error.context).message}.")
        case _:
            yield problem(document, path, f"{error.message}.")
