"""What the model versions and datasets API reads and writes, each field with the words the
OpenAPI schema shows for it."""

from rest_framework import serializers

from apps.accounts.models import User
from apps.projects.models import (
    MODEL_CARD_FIELDS,
    Dataset,
    DatasetRole,
    ModelVersion,
    Project,
    TaskType,
)
from qualiti.api_schema import help_texts

SHA256 = "Hex sha256 of the uploaded file's bytes."


class ModelVersionSerializer(serializers.ModelSerializer):
    project: "serializers.SlugRelatedField[Project]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="The project's slug."
    )
    uploaded_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Username of who uploaded it."
    )

    class Meta:
        model = ModelVersion
        fields = [
            "id",
            "project",
            "sequence",
            "label",
            "artifact_format",
            "task_type",
            "sha256",
            "size_bytes",
            "features",
            "artifact_audit",
            "warnings",
            "notes",
            *MODEL_CARD_FIELDS,
            "uploaded_by",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = help_texts(
            id="The model version's id.",
            sequence="The version's number in its project: 1, 2, 3… in upload order.",
            label='The version\'s name, "v<sequence>" unless one was given.',
            artifact_format="The artifact's format: skops, onnx, or none for a "
            "predictions-only version.",
            task_type="What the model does: binary or multiclass classification, or regression.",
            sha256="Hex sha256 of the artifact's bytes; empty without an artifact.",
            size_bytes="The artifact's size in bytes; 0 without an artifact.",
            features="The model's input columns, in order, when given at upload.",
            notes="Free notes given at upload.",
            created_at="When it was uploaded.",
        )


class ModelVersionCreateSerializer(serializers.Serializer):
    project = serializers.SlugField(max_length=80, help_text="The project's slug.")
    # A field named like Field.label, which the stubs type as the field's own caption.
    label = serializers.CharField(  # type: ignore[assignment]
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text='The version\'s name; "v<n>" (its number) if empty.',
    )
    task_type = serializers.ChoiceField(
        choices=TaskType.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Read from the model when omitted; required without a model file.",
    )
    features = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        default=list,
        help_text="The model's input columns, in order.",
    )
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Free notes on this version."
    )
    artifact = serializers.FileField(
        required=False,
        allow_null=True,
        allow_empty_file=True,  # refused by the service, with its own message
        use_url=False,
        help_text="A .skops or .onnx file; none for a predictions-only version.",
    )


class DatasetSerializer(serializers.ModelSerializer):
    project: "serializers.SlugRelatedField[Project]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="The project's slug."
    )
    uploaded_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Username of who uploaded it."
    )

    class Meta:
        model = Dataset
        fields = [
            "id",
            "project",
            "name",
            "role",
            "file_format",
            "sha256",
            "size_bytes",
            "row_count",
            "column_count",
            "columns",
            "schema",
            "target_column",
            "sensitive_columns",
            "prediction_column",
            "probability_columns",
            "model_version",
            "validation_status",
            "validation_error",
            "validation_problems",
            "warnings",
            "validated_at",
            "uploaded_by",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = help_texts(
            id="The dataset's id.",
            name="The dataset's name.",
            role="What the data is for: training, evaluation, reference (what later data "
            "is compared with) or a production sample.",
            file_format="csv or parquet.",
            sha256=SHA256,
            size_bytes="The file's size in bytes.",
            row_count="Rows read by the validation; null until it has run.",
            column_count="Columns read by the validation; null until it has run.",
            target_column="The column holding the true labels (or values); empty for none.",
            sensitive_columns="Columns of sensitive attributes that fairness checks "
            "compare groups by.",
            prediction_column="The column holding the model's predictions, for a "
            "predictions-only evaluation; empty for none.",
            probability_columns="Columns holding the model's predicted probabilities, one "
            "per class.",
            validation_status="validating while the background read of the whole file "
            "runs, then valid or invalid.",
            validation_error="Why the file is invalid; empty otherwise.",
            validated_at="When the validation finished; null until then.",
            created_at="When it was uploaded.",
        )


class DatasetCreateSerializer(serializers.Serializer):
    project = serializers.SlugField(max_length=80, help_text="The project's slug.")
    name = serializers.CharField(max_length=200, help_text="A name for the dataset.")
    role = serializers.ChoiceField(
        choices=DatasetRole.choices,
        help_text="What the data is for: training, evaluation, reference or a production sample.",
    )
    file = serializers.FileField(
        allow_empty_file=True, use_url=False, help_text="A CSV (UTF-8) or Parquet file."
    )
    target_column = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="The column holding the true labels (or values).",
    )
    sensitive_columns = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        default=list,
        help_text="Columns of sensitive attributes, for the fairness checks.",
    )
    prediction_column = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="The column holding the model's predictions, if the file carries them.",
    )
    probability_columns = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        default=list,
        help_text="Columns holding predicted probabilities, one per class.",
    )
    model_version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Id of the model version that produced the prediction columns.",
    )
