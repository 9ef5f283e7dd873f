"""Criterion packs over the API, as actions of the criterion templates: export a pack as
YAML, import one (a multipart field `file`, or the YAML itself as an application/yaml
body), and read the pack format's JSON schema. The work is apps.criteria.packs'."""

from typing import TYPE_CHECKING, Any

import yaml
from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from apps.criteria.packs import SHIPPED_PACK, pack_schema
from apps.criteria.packs.export import criterion_pack_export
from apps.criteria.packs.reading import pack_body_check, pack_too_large
from apps.criteria.packs.services import PackImport, criterion_pack_import
from qualiti.errors import InvalidInput
from qualiti.http import request_user

if TYPE_CHECKING:  # what the mixin is mixed into, for the type checker
    from rest_framework.viewsets import GenericViewSet as _ViewBase
else:
    _ViewBase = object

YAML = "application/yaml"
NO_FORMAT = OpenApiParameter("format", exclude=True)


class PackYAMLParser(BaseParser):
    """An application/yaml body as its bytes, up to QUALITI_PACK_MAX_BYTES (413 beyond): the
    pack reader (apps.criteria.packs.reading) reads the YAML itself, safely."""

    media_type = YAML

    # DRF's request.data is whatever a parser returns: here the body's bytes, not a mapping.
    def parse(  # type: ignore[override]
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> bytes:
        limit = settings.QUALITI_PACK_MAX_BYTES
        content = stream.read(limit + 1) if stream is not None else b""
        if len(content) > limit:
            raise pack_too_large(max_bytes=limit)
        return content


class PackYAMLRenderer(renderers.BaseRenderer):
    """Lets a client that asks for application/yaml reach the export (the file is a plain
    Django answer); an error is then written as YAML too."""

    media_type = YAML
    format = "yaml"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        return yaml.safe_dump(data, allow_unicode=True).encode() if data is not None else b""


class PackUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The pack, a YAML file in the format of GET "
        "/api/v1/criterion-templates/pack-schema/ (at most QUALITI_PACK_MAX_BYTES, 1 MiB "
        "by default)."
    )


class PackChangesSerializer(serializers.Serializer):
    created = serializers.ListField(
        child=serializers.CharField(), help_text="Stored codes or ids of the rows created."
    )
    updated = serializers.ListField(
        child=serializers.CharField(),
        help_text="Those changed (a template's version, a framework's revision raised).",
    )
    unchanged = serializers.ListField(
        child=serializers.CharField(), help_text="Those the file left as they were."
    )
    removed = serializers.ListField(
        child=serializers.CharField(), help_text="Those of the pack the file no longer has."
    )


class PackSerializer(serializers.Serializer):
    id = serializers.CharField(source="slug", help_text="The pack's id, e.g. acme.")
    version = serializers.IntegerField(help_text="The pack's version, as its author counts.")
    name = serializers.CharField(help_text="The pack's name, for people.")
    description = serializers.CharField(help_text="What the pack is for.")
    imported_by = serializers.CharField(
        source="imported_by.username",
        allow_null=True,
        help_text="Who imported it last (null: the system).",
    )
    imported_at = serializers.DateTimeField(help_text="When it was imported last.")


class PackImportSerializer(serializers.Serializer):
    pack = PackSerializer(help_text="The pack as now stored.")
    first_import = serializers.BooleanField(
        help_text="Whether the pack was new here (201) rather than imported again (200)."
    )
    templates = PackChangesSerializer(
        help_text="What happened to the pack's templates; their codes are <pack>:<code>."
    )
    frameworks = PackChangesSerializer(
        help_text="What happened to the pack's frameworks; their ids are <pack>:<id>."
    )


class PackProblemSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="The problem in a sentence, where included.")
    line = serializers.IntegerField(
        allow_null=True, help_text="The line of the file, counting from 1."
    )
    section = serializers.CharField(
        help_text="pack, templates or frameworks; empty for the file as a whole."
    )
    entry = serializers.IntegerField(
        allow_null=True, help_text="The entry's position in its section, counting from 1."
    )
    code = serializers.CharField(
        allow_null=True, help_text="The entry's code (a template) or id (a framework), as written."
    )
    field = serializers.CharField(help_text="The field within the entry, e.g. params.alpha.")
    value = serializers.CharField(
        allow_null=True, help_text="The bad value as written; null when it is missing."
    )


class PackRefusalSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="How many problems, and that nothing was imported.")
    code = serializers.CharField(help_text="invalid.")
    # The answer's `errors` key; the serializers' metaclass takes declared fields off the
    # class, so Serializer.errors is not shadowed (the type checker cannot know).
    errors = PackProblemSerializer(  # type: ignore[assignment]
        many=True, help_text="Every problem of the pack."
    )


def pack_request_content(request: Request) -> bytes:
    """The pack a request carries: an application/yaml body, or a multipart field `file`."""
    if isinstance(request.data, bytes):
        return request.data
    upload = request.FILES.get("file")
    if upload is None:
        raise InvalidInput(
            "Send the pack as a multipart field `file`, or as an application/yaml body.",
            field="file",
        )
    if upload.size is not None and upload.size > settings.QUALITI_PACK_MAX_BYTES:
        raise pack_too_large(max_bytes=settings.QUALITI_PACK_MAX_BYTES)
    return upload.read()


def pack_import_output(result: PackImport) -> dict[str, Any]:
    return PackImportSerializer(result).data


class CriterionPackActions(_ViewBase):
    """The pack actions of the criterion templates' viewset."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if self.action == "pack_import":
            # Before authentication: DRF's CSRF check reads the body.
            pack_body_check(
                request._request.META.get("CONTENT_LENGTH"),
                max_bytes=settings.QUALITI_PACK_MAX_BYTES,
            )
        super().initial(request, *args, **kwargs)

    @extend_schema(
        summary="Export a pack of criterion templates and frameworks as YAML",
        parameters=[
            NO_FORMAT,
            OpenApiParameter(
                "pack",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description="The pack's id; qualiti (the shipped catalogue) by default.",
            ),
        ],
        responses={
            (200, YAML): OpenApiResponse(
                OpenApiTypes.STR,
                description="The pack as a YAML attachment, which an import reads back as is.",
            ),
            404: OpenApiResponse(description="No pack of this id here."),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="export",
        url_name="export",
        renderer_classes=[renderers.JSONRenderer, PackYAMLRenderer],
    )
    def pack_export(self, request: Request) -> HttpResponse:
        """A pack's templates, with the frameworks it brings, in the pack format: import it
        in another organisation, or here under another pack id."""
        export = criterion_pack_export(pack=request.query_params.get("pack") or SHIPPED_PACK)
        response = HttpResponse(export.text, content_type=f"{YAML}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response

    @extend_schema(
        summary="Import a pack of criterion templates and frameworks (YAML)",
        request={"multipart/form-data": PackUploadSerializer, YAML: OpenApiTypes.STR},
        responses={
            201: OpenApiResponse(PackImportSerializer, description="A new pack, imported."),
            200: OpenApiResponse(PackImportSerializer, description="A pack imported again."),
            400: OpenApiResponse(
                PackRefusalSerializer, description="Refused whole, with every problem listed."
            ),
            403: OpenApiResponse(
                description="Only administrators and organisation quality managers import."
            ),
            413: OpenApiResponse(description="Larger than QUALITI_PACK_MAX_BYTES."),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[PackYAMLParser, MultiPartParser],
    )
    def pack_import(self, request: Request) -> Response:
        """Administrators and organisation quality managers import a pack: as a multipart
        field `file` or as an application/yaml body. A pack with any problem is refused
        whole, every problem listed (entry, line, field, value as written). Its templates
        are stored as <pack>:<code>, so an import never overwrites another pack's; importing
        the same pack again updates it. The pack id qualiti (the shipped catalogue) is
        refused."""
        result = criterion_pack_import(
            user=request_user(request), content=pack_request_content(request)
        )
        code = status.HTTP_201_CREATED if result.first_import else status.HTTP_200_OK
        return Response(pack_import_output(result), status=code)

    @extend_schema(
        summary="Read the pack format, as a JSON schema",
        parameters=[NO_FORMAT],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT, description="The JSON schema (2020-12) of a pack."
            )
        },
    )
    @action(detail=False, methods=["get"], url_path="pack-schema", url_name="pack-schema")
    def pack_schema(self, request: Request) -> Response:
        """The pack format that export writes and import reads."""
        return Response(pack_schema())
