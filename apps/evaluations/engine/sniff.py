"""What a file is, judged by its content, never by its name.

Only the first bytes and the last few are read. A pickle or a joblib dump (compressed or
not) is refused with how to convert it: loading a pickle runs whatever code it carries.
"""

import bz2
import lzma
import zipfile
import zlib
from pathlib import Path

from apps.evaluations.engine.errors import EngineError

HEAD_BYTES = 4096

MODEL_CONVERSION = (
    "Save a scikit-learn model with skops instead "
    '(`import skops.io; skops.io.dump(model, "model.skops")`) or convert it to ONNX with '
    "skl2onnx (`skl2onnx.to_onnx(model, X[:1])`, then write `SerializeToString()` to a "
    ".onnx file)."
)
DATA_CONVERSION = (
    'Save the data as UTF-8 CSV (`df.to_csv("data.csv", index=False)`) or as Parquet '
    '(`df.to_parquet("data.parquet")`).'
)


def _read_ends(path: Path) -> tuple[bytes, bytes, int]:
    try:
        with path.open("rb") as file:
            head = file.read(HEAD_BYTES)
            size = file.seek(0, 2)
            file.seek(max(0, size - 4))
            tail = file.read(4)
    except FileNotFoundError as error:
        raise EngineError(f"The file {path} does not exist.") from error
    except IsADirectoryError as error:
        raise EngineError(f"{path} is a folder, not a file.") from error
    except OSError as error:
        raise EngineError(f"The file {path} cannot be read: {error.strerror}.") from error
    return head, tail, size


def _is_pickle(head: bytes) -> bool:
    # Protocol 2 and later start with PROTO (0x80) and the protocol number.
    return len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def _decompressed_start(head: bytes) -> tuple[str, bytes] | None:
    """The compression of a file and its first decompressed bytes (never more than 16)."""
    attempts = []
    if head.startswith(b"\x1f\x8b"):
        attempts.append(("gzip", lambda: zlib.decompressobj(16 + zlib.MAX_WBITS)))
    if head.startswith(b"BZh"):
        attempts.append(("bz2", bz2.BZ2Decompressor))
    if head.startswith(b"\xfd7zXZ\x00"):
        attempts.append(("xz", lambda: lzma.LZMADecompressor(lzma.FORMAT_XZ)))
    if head.startswith(b"\x5d\x00\x00"):
        attempts.append(("lzma", lambda: lzma.LZMADecompressor(lzma.FORMAT_ALONE)))
    if head.startswith(b"ZF"):  # joblib before 0.10: "ZF", a length, then zlib
        start = head.find(b"x", 2, 32)
        if start > 0:
            head = head[start:]
            attempts.append(("zlib", zlib.decompressobj))
    elif len(head) >= 2 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0:
        attempts.append(("zlib", zlib.decompressobj))
    for name, make in attempts:
        decompressor = make()
        try:
            if isinstance(decompressor, bz2.BZ2Decompressor | lzma.LZMADecompressor):
                inner = decompressor.decompress(head, max_length=16)
            else:
                inner = decompressor.decompress(head, 16)
        except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError):
            continue
        if inner:
            return name, inner
    return None


def _refuse_pickle(path: Path, head: bytes, advice: str) -> None:
    if _is_pickle(head):
        what = "a joblib dump" if b"joblib" in head or b"NumpyArray" in head else "a pickle"
        raise EngineError(
            f"{path.name} is {what} (a Python pickle). Loading a pickle runs whatever code it "
            f"carries, so Qualiti refuses pickle and joblib files. {advice}"
        )
    compressed = _decompressed_start(head)
    if compressed is not None and _is_pickle(compressed[1]):
        raise EngineError(
            f"{path.name} is a pickle compressed with {compressed[0]}, as "
            "joblib.dump(compress=...) writes it. Loading a pickle runs whatever code it "
            f"carries, so Qualiti refuses pickle and joblib files. {advice}"
        )


def _looks_like_onnx(path: Path, head: bytes) -> bool:
    # ModelProto's first field is ir_version (field 1, varint): tag byte 0x08.
    if head[:1] != b"\x08":
        return False
    from apps.evaluations.engine.loading.onnx_protobuf import onnx_model_fields

    return onnx_model_fields(path) is not None


def sniff_model(path: str | Path) -> str:
    """ "skops" or "onnx", judged by content; anything else is refused with advice."""
    path = Path(path)
    head, _tail, size = _read_ends(path)
    if size == 0:
        raise EngineError(f"The model file {path.name} is empty.")
    _refuse_pickle(path, head, MODEL_CONVERSION)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as error:
            raise EngineError(f"{path.name} is a damaged zip archive: {error}.") from error
        if "schema.json" not in names:
            raise EngineError(
                f"{path.name} is a zip archive without schema.json, so it is not a skops "
                f"file. {MODEL_CONVERSION}"
            )
        return "skops"
    if _looks_like_onnx(path, head):
        return "onnx"
    raise EngineError(
        f"{path.name} is neither a skops file nor an ONNX model (judged by its content, "
        f"whatever its name). {MODEL_CONVERSION}"
    )


def sniff_table(path: str | Path) -> str:
    """ "parquet" or "csv", judged by content; refuses truncated Parquet, pickles, binaries."""
    path = Path(path)
    head, tail, size = _read_ends(path)
    if size == 0:
        raise EngineError(f"The data file {path.name} is empty.")
    if head.startswith(b"PAR1"):
        if size < 12 or tail != b"PAR1":
            raise EngineError(
                f"{path.name} starts as a Parquet file but lacks Parquet's footer: it is "
                "truncated. Copy or export the complete file."
            )
        return "parquet"
    _refuse_pickle(path, head, DATA_CONVERSION)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        raise EngineError(
            f"{path.name} is a zip archive (an Excel workbook is one), not CSV or Parquet. "
            f"{DATA_CONVERSION}"
        )
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise EngineError(f"{path.name} is UTF-16 text; save the CSV as UTF-8.")
    if b"\x00" in head:
        raise EngineError(f"{path.name} is neither CSV text nor Parquet. {DATA_CONVERSION}")
    return "csv"
