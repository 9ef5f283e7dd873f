"""A .skops file as a zip container, judged before anything in it is believed.

The member count comes from the end record before Python parses the directory (a
directory of millions of entries is refused unread). Then every member's name, kind,
encryption flag, compression method and sizes are checked from the directory, the
members are laid end to end from byte 0 to the directory with nothing between or around
them (no second file hiding in the gaps, as a pickle/zip polyglot does), and each member
is read once, in chunks, so its CRC is verified and its first bytes can be judged.
"""

import stat
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from apps.evaluations.engine.errors import ArtifactRefused

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_DATA_DESCRIPTOR_FLAG = 0x08
_ENCRYPTED_FLAG = 0x01
# What Python's zipfile can unpack; skops writes stored or deflated members.
METHODS = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflate",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "lzma",
}
READ_CHUNK = 1 << 20
HEAD = 64 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 10_000
    max_uncompressed_bytes: int = 4 * 1024**3
    max_compression_ratio: float = 100.0
    ratio_checked_from_bytes: int = 1024 * 1024  # tiny members may compress very well
    max_schema_bytes: int = 64 * 1024**2


def refuse(reason: str) -> ArtifactRefused:
    return ArtifactRefused(f"This .skops file was refused: {reason}")


@dataclass(frozen=True)
class EndRecord:
    entries: int
    directory_offset: int
    directory_size: int
    end: int  # where the end record, and any zip64 records before it, stop


def end_record(file: BinaryIO, size: int) -> EndRecord:
    """The archive's end of central directory record (zip64 included)."""
    window = min(size, _EOCD.size + 65535)
    file.seek(size - window)
    tail = file.read(window)
    position = tail.rfind(b"PK\x05\x06")
    if position < 0 or position + _EOCD.size > len(tail):
        raise refuse("it is not a complete zip archive (no end of central directory).")
    fields = _EOCD.unpack_from(tail, position)
    entries, directory_size, directory_offset, comment_length = (
        fields[4], fields[5], fields[6], fields[7]
    )  # fmt: skip
    end = size - window + position + _EOCD.size + comment_length
    locator_at = position - _ZIP64_LOCATOR.size
    if locator_at >= 0 and tail[locator_at : locator_at + 4] == b"PK\x06\x07":
        _signature, _disk, zip64_offset, _disks = _ZIP64_LOCATOR.unpack_from(tail, locator_at)
        if zip64_offset + _ZIP64_EOCD.size <= size:
            file.seek(zip64_offset)
            record = file.read(_ZIP64_EOCD.size)
            if record[:4] == b"PK\x06\x06":
                values = _ZIP64_EOCD.unpack(record)
                entries, directory_size, directory_offset = values[7], values[8], values[9]
    return EndRecord(entries, directory_offset, directory_size, end)


def _name_problem(member: zipfile.ZipInfo) -> str:
    name = member.filename
    if not name or "\x00" in name or "\\" in name:
        return "has an unusable name"
    if name.startswith("/") or ".." in name.split("/"):
        return "leaves the archive"
    if name.endswith("/"):
        return "is a folder"
    kind = stat.S_IFMT(member.external_attr >> 16)
    if kind == stat.S_IFLNK:
        return "is a symbolic link"
    if kind not in (0, stat.S_IFREG):
        return "is not a plain file"
    if member.flag_bits & _ENCRYPTED_FLAG:
        return "is encrypted"
    if member.compress_type not in METHODS:
        return f"is packed with compression method {member.compress_type}, which is not supported"
    return ""


def _local_extent(file: BinaryIO, member: zipfile.ZipInfo) -> int:
    """Where the member's bytes (local header, data, descriptor) end."""
    file.seek(member.header_offset)
    header = file.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise refuse(f"the member {member.filename!r} has no local header where its entry says.")
    fields = _LOCAL_HEADER.unpack(header)
    name_length, extra_length = fields[9], fields[10]
    end: int = member.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    end += member.compress_size
    if member.flag_bits & _DATA_DESCRIPTOR_FLAG:
        file.seek(end)
        descriptor = file.read(24)
        signed = descriptor[:4] == b"PK\x07\x08"
        zip64 = member.compress_size >= 0xFFFFFFFF or member.file_size >= 0xFFFFFFFF
        end += (4 if signed else 0) + (20 if zip64 else 12)
    return end


class Archive:
    """An opened, checked archive; `members` are its entries in directory order."""

    def __init__(self, path: Path, limits: ArchiveLimits) -> None:
        self.path = path
        self.limits = limits
        self._file = path.open("rb")
        try:
            self._check()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if getattr(self, "zip", None) is not None:
            self.zip.close()
        self._file.close()

    def _check(self) -> None:
        limits, size = self.limits, self._file.seek(0, 2)
        record = end_record(self._file, size)
        if record.entries > limits.max_members:
            raise refuse(
                f"it has {record.entries} members; at most {limits.max_members} are accepted."
            )
        if record.end != size:
            raise refuse(f"it carries {size - record.end} bytes after its end record.")
        try:
            self.zip = zipfile.ZipFile(self._file)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
            raise refuse(f"it is not a readable zip archive ({error}).") from error
        self.members = self.zip.infolist()
        if len(self.members) > limits.max_members:
            raise refuse(
                f"it has {len(self.members)} members; at most {limits.max_members} are accepted."
            )
        names: set[str] = set()
        total = 0
        for member in self.members:
            problem = _name_problem(member)
            if problem:
                raise refuse(f"the member {member.filename!r} {problem}.")
            if member.filename in names:
                raise refuse(f"the member name {member.filename!r} appears twice.")
            names.add(member.filename)
            total += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size >= limits.ratio_checked_from_bytes and (
                ratio > limits.max_compression_ratio
            ):
                raise refuse(
                    f"the member {member.filename!r} unpacks {ratio:.0f} times its packed "
                    f"size (at most {limits.max_compression_ratio:.0f}): a zip bomb."
                )
        if total > limits.max_uncompressed_bytes:
            raise refuse(
                f"it unpacks to {total} bytes; at most {limits.max_uncompressed_bytes} are "
                "accepted (a zip bomb?)."
            )
        self.names = names
        self._check_layout(record)

    def _check_layout(self, record: EndRecord) -> None:
        """Members back to back from byte 0 to the directory: no hidden bytes."""
        position = 0
        for member in sorted(self.members, key=lambda m: m.header_offset):
            if member.header_offset != position:
                where = "before its first member" if position == 0 else "between its members"
                raise refuse(
                    f"it carries {abs(member.header_offset - position)} bytes {where}: "
                    "another file hides in it."
                )
            position = _local_extent(self._file, member)
        if position != record.directory_offset:
            raise refuse("it carries bytes between its last member and its directory.")

    def read_member(self, name: str) -> Iterator[bytes]:
        """The member's bytes in chunks; a bad CRC, a damaged stream or a member longer
        than its entry says is refused."""
        member = self.zip.getinfo(name)
        read = 0
        try:
            with self.zip.open(member) as stream:
                while chunk := stream.read(READ_CHUNK):
                    read += len(chunk)
                    if read > member.file_size:
                        raise refuse(f"the member {name!r} is longer than its entry says.")
                    yield chunk
        except ArtifactRefused:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as error:
            detail = "bad CRC" if "CRC" in str(error) else str(error) or type(error).__name__
            raise refuse(f"the member {name!r} is damaged ({detail}).") from error
        except Exception as error:  # zlib.error, lzma.LZMAError, bz2's OSError…
            raise refuse(f"the member {name!r} cannot be unpacked ({error}).") from error
        if read != member.file_size:
            raise refuse(f"the member {name!r} is shorter than its entry says.")

    def read_all(self, name: str, limit: int) -> bytes:
        """A small member whole (the schema), refused past `limit` bytes."""
        member = self.zip.getinfo(name)
        if member.file_size > limit:
            raise refuse(f"its {name} is {member.file_size} bytes; at most {limit} are accepted.")
        return b"".join(self.read_member(name))
