"""What a model or data file is, and the refusal of everything else, in words that say how
to produce an acceptable file. One judgement for uploads, runs and the command line
(`gate.sniffing` reads the bytes); the gate proper (`gate`) then audits a model in the
sandbox.
"""

from pathlib import Path
from typing import BinaryIO

from apps.evaluations.engine.errors import ArtifactRefused, EngineError
from apps.evaluations.engine.gate.sniffing import FileKind, Sniffed, sniff

MODEL_CONVERSION = (
    "Save a scikit-learn model with skops instead: "
    '`import skops.io; skops.io.dump(model, "model.skops")`, '
    "or convert it to ONNX with skl2onnx: "
    "`from skl2onnx import to_onnx; onnx_model = to_onnx(model, X[:1])` and write "
    '`onnx_model.SerializeToString()` to "model.onnx".'
)
DATA_CONVERSION = (
    'Save the data as CSV (`df.to_csv("data.csv", index=False)`, UTF-8) '
    'or as Parquet (`df.to_parquet("data.parquet")`).'
)
DESCRIPTIONS = {
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
_SCAN_CHUNK = 16 * 1024 * 1024
NUL_DETAIL = "it contains NUL bytes"  # the sniffer's words for NULs in the first bytes


def pickle_refusal(sniffed: Sniffed, advice: str) -> str:
    if sniffed.kind == FileKind.COMPRESSED_PICKLE:
        what = f"a pickle compressed with {sniffed.detail}, as joblib.dump(compress=...) writes"
    elif sniffed.detail == "joblib":
        what = "a joblib dump, which is a Python pickle"
    else:
        what = "a Python pickle (pickle or joblib)"
    return (
        f"This file is {what}. Loading a pickle runs whatever code it carries, so Qualiti "
        f"does not accept pickles. {advice}"
    )


def model_file_kind(file: BinaryIO) -> tuple[str, Sniffed]:
    """ "skops" or "onnx" by content, or ArtifactRefused saying what the file is instead."""
    sniffed = sniff(file)
    if sniffed.kind == FileKind.ONNX:
        return "onnx", sniffed
    if sniffed.kind == FileKind.ZIP:
        return "skops", sniffed
    if sniffed.kind == FileKind.EMPTY:
        raise ArtifactRefused("The model file is empty.")
    if sniffed.kind in (FileKind.PICKLE, FileKind.COMPRESSED_PICKLE):
        raise ArtifactRefused(pickle_refusal(sniffed, MODEL_CONVERSION))
    description = DESCRIPTIONS[sniffed.kind]
    if sniffed.kind == FileKind.COMPRESSED:
        description = f"a file compressed with {sniffed.detail}"
    raise ArtifactRefused(
        f"This file is {description}, not a model Qualiti can load (judged by its content, "
        f"whatever its name): upload a .skops or an .onnx file. {MODEL_CONVERSION}"
    )


def table_file_kind(file: BinaryIO) -> str:
    """ "parquet" or "csv" by content; anything else is refused with how to make one. A CSV
    is text throughout: a NUL byte anywhere in it refuses it, as near the start."""
    sniffed = sniff(file)
    if sniffed.kind == FileKind.PARQUET:
        return "parquet"
    if sniffed.kind == FileKind.TEXT or sniffed.detail == NUL_DETAIL:
        found = nul_byte_line(file)
        if found is not None:
            raise EngineError(f"The file is neither CSV text nor Parquet: {nul_message(found)}")
        return "csv"
    if sniffed.kind == FileKind.EMPTY:
        raise EngineError("The file is empty.")
    if sniffed.kind in (FileKind.PICKLE, FileKind.COMPRESSED_PICKLE):
        raise EngineError(pickle_refusal(sniffed, DATA_CONVERSION))
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
            f"file. {DATA_CONVERSION}"
        )
    elif sniffed.kind == FileKind.COMPRESSED:
        message = f"The file is compressed with {sniffed.detail}; upload the CSV or Parquet itself."
    elif sniffed.kind == FileKind.BINARY:
        message = f"The file is neither CSV text nor Parquet: {sniffed.detail}. {DATA_CONVERSION}"
    else:
        message = f"The file is {DESCRIPTIONS[sniffed.kind]}, not a dataset. {DATA_CONVERSION}"
    raise EngineError(message)


def nul_byte_line(file: BinaryIO) -> int | None:
    """The line (1-based) of the first NUL byte in the whole file, or None."""
    file.seek(0)
    line = 1
    try:
        while chunk := file.read(_SCAN_CHUNK):
            at = chunk.find(b"\x00")
            if at >= 0:
                return line + chunk.count(b"\n", 0, at)
            line += chunk.count(b"\n")
    finally:
        file.seek(0)
    return None


def nul_message(line: int) -> str:
    return f"it contains a NUL byte (line {line}), so it is not text. {DATA_CONVERSION}"


def _opened(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except FileNotFoundError as error:
        raise EngineError(f"The file {path} does not exist.") from error
    except IsADirectoryError as error:
        raise EngineError(f"{path} is a folder, not a file.") from error
    except OSError as error:
        raise EngineError(f"The file {path} cannot be read: {error.strerror}.") from error


def sniff_model(path: str | Path) -> str:
    """ "skops" or "onnx", judged by content; anything else is refused with advice."""
    with _opened(Path(path)) as file:
        return model_file_kind(file)[0]


def sniff_table(path: str | Path) -> str:
    """ "parquet" or "csv", judged by content; refuses truncated Parquet, pickles, binaries
    and text with a NUL byte anywhere."""
    path = Path(path)
    with _opened(path) as file:
        try:
            return table_file_kind(file)
        except EngineError as error:
            raise EngineError(f"{path.name}: {error.message}") from error
