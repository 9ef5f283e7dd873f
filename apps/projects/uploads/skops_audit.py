"""The audit of a .skops file at upload: its zip directory and its schema, nothing more.

A skops file is a zip archive holding `schema.json` (the object tree) and one member per
array. The web process reads the zip's directory (after counting its entries from the end
record, so a directory of millions of entries is refused before it is parsed) and the
schema, and lists the types the file would construct. It never reads an array member and
never constructs an object: loading happens later, in a worker's child process.
"""

import io
import json
import struct
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import skops.io
from django.conf import settings

from qualiti.errors import InvalidInput

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")


@dataclass(frozen=True)
class SkopsLimits:
    max_members: int
    max_uncompressed_bytes: int
    max_compression_ratio: float
    max_schema_bytes: int
    ratio_checked_from_bytes: int = 1024 * 1024  # tiny members may compress very well


def skops_limits() -> SkopsLimits:
    """The caps, each overridable in settings."""
    return SkopsLimits(
        max_members=settings.QUALITI_SKOPS_MAX_MEMBERS,
        max_uncompressed_bytes=settings.QUALITI_SKOPS_MAX_UNCOMPRESSED_BYTES,
        max_compression_ratio=settings.QUALITI_SKOPS_MAX_COMPRESSION_RATIO,
        max_schema_bytes=settings.QUALITI_SKOPS_MAX_SCHEMA_BYTES,
    )


def _refuse(reason: str) -> InvalidInput:
    return InvalidInput(f"This .skops file was refused: {reason}", field="artifact")


def _zip_entry_count(file: BinaryIO, size: int) -> int:
    """The number of entries the zip's end record announces (zip64 included)."""
    window = min(size, _EOCD.size + 65535)
    file.seek(size - window)
    tail = file.read(window)
    position = tail.rfind(b"PK\x05\x06")
    if position < 0 or position + _EOCD.size > len(tail):
        raise _refuse("it is not a complete zip archive (no end of central directory).")
    entries = _EOCD.unpack_from(tail, position)[4]  # total entries
    locator_at = position - _ZIP64_LOCATOR.size
    if entries == 0xFFFF and locator_at >= 0:
        signature, _disk, zip64_offset, _disks = _ZIP64_LOCATOR.unpack_from(tail, locator_at)
        if signature == b"PK\x06\x07" and zip64_offset + _ZIP64_EOCD.size <= size:
            file.seek(zip64_offset)
            record = file.read(_ZIP64_EOCD.size)
            if record[:4] == b"PK\x06\x06":
                entries = _ZIP64_EOCD.unpack(record)[7]
    return entries


def _collect_types(node: object, types: set[str], depth: int = 0) -> None:
    """Every `module.Class` the schema tree names."""
    if depth > 500:
        raise _refuse("its schema is nested too deeply.")
    if isinstance(node, dict):
        module, name = node.get("__module__"), node.get("__class__")
        if isinstance(module, str) and isinstance(name, str):
            types.add(f"{module}.{name}")
        for value in node.values():
            _collect_types(value, types, depth + 1)
    elif isinstance(node, list):
        for value in node:
            _collect_types(value, types, depth + 1)


def _skeleton(schema_bytes: bytes, member_names: list[str]) -> bytes:
    """The archive with its schema and every other member emptied.

    skops' own audit (`get_untrusted_types`) reads each array member into memory while it
    builds its tree; it needs the members to exist, not their bytes.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as skeleton:
        skeleton.writestr("schema.json", schema_bytes)
        for name in member_names:
            if name != "schema.json":
                skeleton.writestr(name, b"")
    return buffer.getvalue()


def skops_audit(file: BinaryIO) -> dict:
    """Check a skops archive against the caps and list its types, without loading it.

    Raises InvalidInput naming the reason: too many members, too large once unpacked, a
    compression ratio of a zip bomb, no schema.json, or a schema skops cannot read.
    """
    limits = skops_limits()
    size = file.seek(0, 2)
    entries = _zip_entry_count(file, size)
    if entries > limits.max_members:
        raise _refuse(f"it has {entries} members; at most {limits.max_members} are accepted.")
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _refuse(f"it is not a readable zip archive ({error}).") from error
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise _refuse(
                f"it has {len(members)} members; at most {limits.max_members} are accepted."
            )
        total = 0
        for member in members:
            if member.filename.startswith(("/", "\\")) or ".." in member.filename.split("/"):
                raise _refuse(f"the member name {member.filename!r} leaves the archive.")
            total += member.file_size
            if member.file_size >= limits.ratio_checked_from_bytes:
                ratio = member.file_size / max(member.compress_size, 1)
                if ratio > limits.max_compression_ratio:
                    raise _refuse(
                        f"the member {member.filename!r} unpacks {ratio:.0f} times its "
                        f"packed size (at most {limits.max_compression_ratio:.0f}): "
                        "a zip bomb."
                    )
        if total > limits.max_uncompressed_bytes:
            raise _refuse(
                f"it unpacks to {total} bytes; at most {limits.max_uncompressed_bytes} "
                "are accepted (a zip bomb?)."
            )
        names = [member.filename for member in members]
        if "schema.json" not in names:
            raise _refuse("it has no schema.json, so it is not a skops file.")
        schema_info = archive.getinfo("schema.json")
        if schema_info.file_size > limits.max_schema_bytes:
            raise _refuse(
                f"its schema.json is {schema_info.file_size} bytes; at most "
                f"{limits.max_schema_bytes} are accepted."
            )
        try:
            # The declared size is capped above; read one byte more to catch a lie.
            with archive.open(schema_info) as schema_file:
                schema_bytes = schema_file.read(limits.max_schema_bytes + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise _refuse(f"its schema.json cannot be unpacked ({error}).") from error
    if len(schema_bytes) > limits.max_schema_bytes:
        raise _refuse("its schema.json is larger than its directory says.")
    try:
        schema = json.loads(schema_bytes)
        types: set[str] = set()
        _collect_types(schema, types)
        untrusted = skops.io.get_untrusted_types(data=_skeleton(schema_bytes, names))
    except InvalidInput:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        # skops' audit checks the protocol and the node kinds; any failure means skops
        # could not load this file either.
        raise _refuse(f"skops cannot read its schema ({type(error).__name__}: {error}).") from error
    if not isinstance(schema, dict):
        raise _refuse("its schema.json is not an object tree.")
    return {
        "format": "skops",
        "protocol": schema.get("protocol"),
        "root_type": f"{schema.get('__module__')}.{schema.get('__class__')}",
        "members": len(members),
        "uncompressed_bytes": total,
        "types": sorted(types),
        "untrusted_types": list(untrusted),
    }
