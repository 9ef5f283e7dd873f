"""The API explains itself: in the OpenAPI schema every operation sits under its resource's
tag and has a summary, and every tag, parameter and field is described."""

import inspect
import json
from collections.abc import Iterator
from pathlib import Path

import django_filters
import pytest
from django.core.management import call_command

from qualiti.api import OwnRowsMixin, ProjectScopedMixin, ProjectSlugFilter
from qualiti.api_schema import filter_help_texts


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The schema as `manage.py spectacular` writes it: validated, and any warning fails."""
    target: Path = tmp_path_factory.mktemp("openapi") / "schema.json"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json",
        "--file", str(target),
    )  # fmt: skip
    return json.loads(target.read_text())


def operations(schema: dict) -> Iterator[tuple[str, dict]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def words(description: str | None) -> str:
    """A description without the list of choices drf-spectacular adds to an enum's: a
    parameter or field described by its choices alone is not described."""
    lines = (description or "").splitlines()
    return " ".join(line for line in lines if not line.startswith("* `")).strip()


def fields(schema: dict) -> dict[str, str]:
    """Every property of every component, through allOf/oneOf/anyOf and array items, by
    "Component.property", with its description."""
    found: dict[str, str] = {}

    def walk(where: str, node: dict) -> None:
        for key in ("allOf", "oneOf", "anyOf"):
            for part in node.get(key, []):
                walk(where, part)
        if isinstance(node.get("items"), dict):
            walk(where, node["items"])
        for name, field in node.get("properties", {}).items():
            found[f"{where}.{name}"] = words(field.get("description"))
            walk(f"{where}.{name}", field)

    for name, component in schema["components"]["schemas"].items():
        walk(name, component)
    return found


def test_every_operation_is_under_its_resources_tag(schema):
    declared = {tag["name"] for tag in schema["tags"]}

    untagged = [
        name for name, operation in operations(schema)
        if not set(operation.get("tags", [])) - {"v1", "api"}
    ]  # fmt: skip
    undeclared = {
        tag for _, operation in operations(schema) for tag in operation["tags"]
    } - declared

    assert untagged == []
    assert undeclared == set()
    assert {"projects", "model versions", "runs", "findings"} <= declared


def test_every_tag_is_described_and_used(schema):
    used = {tag for _, operation in operations(schema) for tag in operation["tags"]}

    assert [tag["name"] for tag in schema["tags"] if not tag.get("description")] == []
    assert {tag["name"] for tag in schema["tags"]} - used == set()


def test_every_operation_has_a_summary(schema):
    assert [name for name, operation in operations(schema) if not operation.get("summary")] == []


def test_no_operation_borrows_the_words_of_a_shared_base_class(schema):
    # Spectacular's default describes an operation with the first docstring up its
    # viewset's classes: the findings' operations once all read like ProjectScopedMixin's.
    shared = {inspect.cleandoc(base.__doc__ or "") for base in (ProjectScopedMixin, OwnRowsMixin)}

    borrowed = [
        name for name, operation in operations(schema) if operation.get("description") in shared
    ]

    assert borrowed == []


def test_every_parameter_is_described(schema):
    undescribed = [
        f"{name} {parameter['in']} {parameter['name']}"
        for name, operation in operations(schema)
        for parameter in operation.get("parameters", [])
        if not words(parameter.get("description"))
    ]

    assert undescribed == []


def test_the_filters_and_query_parameters_are_documented(schema):
    def parameters(path: str, method: str = "get") -> set[str]:
        return {
            parameter["name"]
            for parameter in schema["paths"][path][method].get("parameters", [])
            if parameter["in"] == "query"
        }

    assert {"project", "status", "severity", "overdue", "team"} <= parameters("/api/v1/findings/")
    assert "with" in parameters("/api/v1/runs/{id}/comparison/")
    assert "subject_type" in parameters("/api/v1/history/")


def test_every_field_of_every_component_is_described(schema):
    described = fields(schema)

    assert [name for name, description in described.items() if not description] == []
    # Read-only, enum and id fields too; and the walk did reach them.
    for name in ("Finding.id", "Finding.severity", "EvaluationRun.status", "Token.token_key"):
        assert described[name], name
    assert described["PaginatedFindingList.count"]


def test_a_filter_described_on_one_filterset_keeps_its_words_off_the_others():
    @filter_help_texts(project="Only this one project (slug).")
    class DescribedFilter(ProjectSlugFilter):
        pass

    assert DescribedFilter.base_filters["project"].extra["help_text"] == (
        "Only this one project (slug)."
    )
    assert "help_text" not in ProjectSlugFilter.base_filters["project"].extra


def test_describing_a_filter_that_does_not_exist_is_refused():
    with pytest.raises(ValueError, match="no filter named colour"):

        @filter_help_texts(colour="Only red ones.")
        class ColourFilter(django_filters.FilterSet):
            pass
