"""From what a file is (`sniffing`) to what Qualiti does with it: a format, or a refusal
that says how to produce an acceptable file."""

from typing import BinaryIO

from apps.projects.models import ArtifactFormat, DatasetFormat
from apps.projects.uploads.skops_audit import skops_audit
from apps.projects.uploads.sniffing import FileKind, Sniffed, sniff
from qualiti.errors import InvalidInput

_DESCRIPTIONS = {
    FileKind.EMPTY: "an empty file",
    FileKind.PICKLE: "a Python pickle",
    FileKind.COMPRESSED_PICKLE: "a compressed Python pickle",
    FileKind.COMPRESSED: "a compressed file",
    FileKind.NUMPY: "a NumPy array file",
    FileKind.ZIP: "a zip archive",
    FileKind.ONNX: "an ONNX model",
    FileKind.PARQUET: "a Parquet file",
    FileKind.PARQUET_TRUNCATED: "a truncated Parquet file",
    FileKind.TEXT: "a text file",
    FileKind.UTF16_TEXT: "a UTF-16 text file",
    FileKind.BINARY: "a binary file of unknown type",
}

MODEL_CONVERSION = (
    "Save a scikit-learn model with skops instead: "
    '`import skops.io; skops.io.dump(model, "model.skops")`, '
    "or convert it to ONNX with skl2onnx: "
    "`from skl2onnx import to_onnx; onnx_model = to_onnx(model, X[:1])` and write "
    '`onnx_model.SerializeToString()` to "model.onnx".'
)
DATASET_CONVERSION = (
    'Save the data as CSV (`df.to_csv("data.csv", index=False)`, UTF-8) '
    'or as Parquet (`df.to_parquet("data.parquet")`).'
)


def _pickle_refusal(sniffed: Sniffed, *, field: str, advice: str) -> InvalidInput:
    if sniffed.kind == FileKind.COMPRESSED_PICKLE:
        what = f"a pickle compressed with {sniffed.detail}, as joblib.dump(compress=...) writes"
    elif sniffed.detail == "joblib":
        what = "a joblib dump, which is a Python pickle"
    else:
        what = "a Python pickle (pickle or joblib)"
    return InvalidInput(
        f"This file is {what}. Loading a pickle runs whatever code it carries, so Qualiti "
        f"does not accept pickles. {advice}",
        field=field,
        extra={"detected": str(sniffed.kind)},
    )


def model_artifact_inspect(file: BinaryIO) -> tuple[str, dict]:
    """The artifact format of a model file and its audit; refuses anything but a skops
    archive that passes the audit or an ONNX model."""
    sniffed = sniff(file)
    if sniffed.kind == FileKind.ONNX:
        return ArtifactFormat.ONNX, {"format": "onnx", **sniffed.facts}
    if sniffed.kind == FileKind.ZIP:
        return ArtifactFormat.SKOPS, skops_audit(file)
    if sniffed.kind == FileKind.EMPTY:
        raise InvalidInput("The model file is empty.", field="artifact")
    if sniffed.kind in (FileKind.PICKLE, FileKind.COMPRESSED_PICKLE):
        raise _pickle_refusal(sniffed, field="artifact", advice=MODEL_CONVERSION)
    description = _DESCRIPTIONS[sniffed.kind]
    if sniffed.kind == FileKind.COMPRESSED:
        description = f"a file compressed with {sniffed.detail}"
    raise InvalidInput(
        f"This file is {description}, not a model Qualiti can load: upload a .skops or an "
        f".onnx file, or no file for a predictions-only version. {MODEL_CONVERSION}",
        field="artifact",
        extra={"detected": str(sniffed.kind)},
    )


def dataset_file_inspect(file: BinaryIO) -> str:
    """The format of a dataset file (CSV or Parquet), judged by content; refuses the rest
    with how to produce a CSV or Parquet file."""
    sniffed = sniff(file)
    if sniffed.kind == FileKind.PARQUET:
        return DatasetFormat.PARQUET
    if sniffed.kind == FileKind.TEXT:
        return DatasetFormat.CSV
    if sniffed.kind == FileKind.EMPTY:
        raise InvalidInput("The file is empty.", field="file")
    if sniffed.kind in (FileKind.PICKLE, FileKind.COMPRESSED_PICKLE):
        raise _pickle_refusal(sniffed, field="file", advice=DATASET_CONVERSION)
    if sniffed.kind == FileKind.PARQUET_TRUNCATED:
        message = (
            "The file starts as Parquet but does not end with Parquet's footer (the "
            "magic bytes PAR1): it is truncated. Upload the complete file."
        )
    elif sniffed.kind == FileKind.UTF16_TEXT:
        message = "The file is UTF-16 text; save the CSV as UTF-8."
    elif sniffed.kind == FileKind.ZIP:
        message = (
            "The file is a zip archive (an Excel workbook is one), not a CSV or Parquet "
            f"file. {DATASET_CONVERSION}"
        )
    elif sniffed.kind == FileKind.COMPRESSED:
        message = f"The file is compressed with {sniffed.detail}; upload the CSV or Parquet itself."
    elif sniffed.kind == FileKind.BINARY:
        message = (
            f"The file is neither CSV text nor Parquet: {sniffed.detail}. {DATASET_CONVERSION}"
        )
    else:
        message = f"The file is {_DESCRIPTIONS[sniffed.kind]}, not a dataset. {DATASET_CONVERSION}"
    raise InvalidInput(message, field="file", extra={"detected": str(sniffed.kind)})
