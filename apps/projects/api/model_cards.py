"""PATCH /api/v1/model-versions/{id}/: a model version's model card fields (intended use,
owners, limitations…), the only fields of a version that change after its upload."""

from typing import TYPE_CHECKING

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.permissions import Action
from apps.projects.models import MODEL_CARD_FIELDS, MODEL_CARD_TEXT_LIMIT, model_card_field
from apps.projects.services import model_version_describe
from qualiti.api import project_for_action
from qualiti.http import request_user


def _card_field(name: str) -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MODEL_CARD_TEXT_LIMIT,
        help_text=str(model_card_field(name).help_text),
    )


class ModelCardFieldsSerializer(serializers.Serializer):
    """The model card's descriptive fields; any other field is refused by name."""

    intended_use = _card_field("intended_use")
    out_of_scope_uses = _card_field("out_of_scope_uses")
    owners = _card_field("owners")
    training_data_description = _card_field("training_data_description")
    evaluation_data_description = _card_field("evaluation_data_description")
    known_limitations = _card_field("known_limitations")
    ethical_considerations = _card_field("ethical_considerations")

    def validate(self, attrs: dict) -> dict:
        unknown = sorted(set(self.initial_data) - set(MODEL_CARD_FIELDS))
        if unknown:
            raise serializers.ValidationError({
                name: [
                    "Only the model card's fields change after an upload: "
                    f"{', '.join(MODEL_CARD_FIELDS)}."
                ]
                for name in unknown
            })  # fmt: skip
        if not attrs:
            raise serializers.ValidationError(
                {"detail": [f"Name at least one of {', '.join(MODEL_CARD_FIELDS)}."]}
            )
        return attrs


# Mixed into a viewset only: the type checker reads it as one (see qualiti/api.py).
if TYPE_CHECKING:
    _ViewsetBase = GenericAPIView
else:
    _ViewsetBase = object


class ModelCardPatchMixin(_ViewsetBase):
    """`partial_update` for the model versions viewset: the card's fields only, through
    `model_version_describe`. Who may not edit is refused before the body is judged."""

    @extend_schema(
        summary="Change a model version's model card fields", request=ModelCardFieldsSerializer
    )
    def partial_update(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Only the model card's descriptive fields change after an upload; any other field
        is refused by name (400)."""
        model_version = self.get_object()
        project_for_action(
            request=request, project=model_version.project, action=Action.MODEL_UPLOAD
        )
        serializer = ModelCardFieldsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        model_version_describe(
            model_version=model_version, actor=request_user(request), **serializer.validated_data
        )
        return Response(self.get_serializer(model_version).data)
