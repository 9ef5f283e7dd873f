"""How the OpenAPI schema explains the API: operations described by their own words, and
helpers that give serializer fields and filters their help text (the schema's descriptions).

Each viewset names its tag (`@extend_schema(tags=[...])`) and each operation its summary;
the tags' descriptions, which introduce a resource, are SPECTACULAR_SETTINGS["TAGS"].
tests/api/test_openapi_descriptions.py checks that nothing is left unexplained.
"""

import copy
from collections.abc import Callable
from typing import TypeVar

from django_filters import FilterSet
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc

FilterSetClass = TypeVar("FilterSetClass", bound=type[FilterSet])


class QualitiAutoSchema(AutoSchema):
    """drf-spectacular's schema, but an operation's description is its own docstring only.

    By default an operation without one borrows the first docstring up the viewset's
    classes: a viewset without its own then described every operation with a mixin's
    words about scoping. What a resource is, and who may use it, is its tag's description.
    """

    def get_description(self) -> str:  # type: ignore[override]  # as AutoSchema's own
        action = getattr(self.view, "action", None) or self.method.lower()
        return get_doc(getattr(self.view, action, None))


def help_texts(**texts: str) -> dict[str, dict[str, str]]:
    """`extra_kwargs` for a ModelSerializer's Meta giving each named field its help text.

    (A field declared on the serializer itself takes `help_text=` where it is declared:
    DRF ignores extra_kwargs for it.)
    """
    return {name: {"help_text": text} for name, text in texts.items()}


def filter_help_texts(**texts: str) -> Callable[[FilterSetClass], FilterSetClass]:
    """A FilterSet class decorator giving each named filter its help text, also those the
    FilterSet builds from `Meta.fields` (the schema's description of the query parameter)."""

    def describe(filterset: FilterSetClass) -> FilterSetClass:
        unknown = sorted(set(texts) - set(filterset.base_filters))
        if unknown:
            raise ValueError(f"{filterset.__name__} has no filter named {', '.join(unknown)}.")
        for name, text in texts.items():
            # A copy: a declared filter is the same object in every subclass's base_filters.
            described = copy.deepcopy(filterset.base_filters[name])
            described.extra["help_text"] = text
            filterset.base_filters[name] = described
        return filterset

    return describe
