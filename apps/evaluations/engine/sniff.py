"""What a model or data file is, and the refusal of everything else, in words that say how
to produce an acceptable file. One judgement for uploads, runs and the command line
(`gate.sniffing` reads the bytes); the gate proper (`gate`) then audits a model in the
sandbox.
"""

import codecs
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
# The sniffer's words for text broken in its first bytes (a NUL, a byte that is not UTF-8).
TEXT_DETAILS = ("it contains NUL bytes", "it is not UTF-8 text")


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


def table_file_kind(file: BinaryIO, *, whole_utf8: bool = False) -> str:
    """ "parquet" or "csv" by content; anything else is refused with how to make one. A CSV
    is text throughout: a NUL byte anywhere in it refuses it, as near the start; with
    `whole_utf8`, so does a byte that is not UTF-8 (the engine's readers need it; an upload
    leaves it to the background validation, which names the row)."""
    sniffed = sniff(file)
    if sniffed.kind == FileKind.PARQUET:
        return "parquet"
    if sniffed.kind == FileKind.TEXT or sniffed.detail.startswith(TEXT_DETAILS):
        # Text, or text broken in its first bytes: the same words wherever the break is.
        problem = text_problem(file, utf8=whole_utf8 or sniffed.kind != FileKind.TEXT)
        if problem is not None:
            raise EngineError(f"The file is neither CSV text nor Parquet: {problem}")
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


def text_problem(file: BinaryIO, *, utf8: bool) -> str | None:
    """What stops the whole file from being text, with its line: a NUL byte, or (with
    `utf8`) bytes that are not UTF-8. None when it is text throughout."""
    file.seek(0)
    line = 1
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := file.read(_SCAN_CHUNK):
            at = chunk.find(b"\x00")
            if at >= 0:
                line += chunk.count(b"\n", 0, at)
                return f"it contains a NUL byte (line {line}), so it is not text. {DATA_CONVERSION}"
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    line += chunk.count(b"\n", 0, max(error.start, 0))
                    return f"line {line} holds bytes that are not UTF-8; save the CSV as UTF-8."
            line += chunk.count(b"\n")
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                return "the file ends in the middle of a UTF-8 character; save the CSV as UTF-8."
    finally:
        file.seek(0)
    return None


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
            return table_file_kind(file, whole_utf8=True)
        except EngineError as error:
            raise EngineError(f"{path.name}: {error.message}") from error
