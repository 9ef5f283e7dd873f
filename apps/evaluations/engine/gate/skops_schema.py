"""A .skops file's object tree and members, judged before skops builds anything.

skops memoises nodes by their `__id__`: a node that appears again is a reference to the
first. Walking the tree to audit its types (skops' own `get_untrusted_types`) does not
share that work, so a schema in which each level refers twice to the level below costs
2^depth steps from a few kilobytes: the walk's cost is counted here first, linearly, and
a schema that would take too long is refused, as is one that refers to itself. Then every
member must be one the tree refers to, of the kind it says (a NumPy array without Python
objects, a sparse matrix, raw bytes), and no member may be a pickle.
"""

import io
import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from apps.evaluations.engine.errors import ArtifactRefused
from apps.evaluations.engine.gate.archive import HEAD, Archive, ArchiveLimits, refuse
from apps.evaluations.engine.gate.sniffing import is_pickle

SCHEMA = "schema.json"
MAX_WALK_STEPS = 2_000_000  # a 500-tree forest walks in about 10,000
MAX_DEPTH = 400
_NPY_MAGIC = b"\x93NUMPY"


@dataclass
class SchemaFacts:
    protocol: object = None
    root_type: str = ""
    nodes: int = 0
    walk_steps: int = 0
    files: set[str] = field(default_factory=set)  # members the tree refers to, by kind
    file_kinds: dict[str, str] = field(default_factory=dict)
    types: set[str] = field(default_factory=set)


def _children(value: object) -> list[dict[str, Any]]:
    """The nodes directly inside a value (through plain lists and dicts), in document
    order, which is the order skops builds them in."""
    found, pending = [], [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if "__loader__" in item:
                found.append(item)
            else:
                pending.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            pending.extend(reversed(item))
    return found


_IDENTITY_KEYS = frozenset({"__class__", "__module__", "__loader__", "__id__"})


def _node_children(node: dict[str, Any]) -> list[dict[str, Any]]:
    return _children([value for key, value in node.items() if key not in _IDENTITY_KEYS])


def _is_reference(node: dict[str, Any]) -> bool:
    """A CachedNode, or a node with nothing but its identity: it stands for an earlier one."""
    return node.get("__loader__") == "CachedNode" or set(node) <= _IDENTITY_KEYS


def schema_walk(schema: object) -> SchemaFacts:
    """Count the steps of a walk of the tree as skops' audit takes it (a shared node's
    subtree once per reference), record the files and types; refuse a tree that refers to
    itself, nests too deeply or would take more than MAX_WALK_STEPS.

    skops keeps the first node of each `__id__` and treats later ones as references to it;
    a later one with content of its own is walked too and the larger cost is kept, so no
    ordering trick hides a bomb. The work here stays linear in the schema's size.
    """
    if not isinstance(schema, dict) or "__loader__" not in schema:
        raise refuse("its schema.json is not a skops object tree.")
    facts = SchemaFacts(
        protocol=schema.get("protocol"),
        root_type=f"{schema.get('__module__')}.{schema.get('__class__')}",
    )
    cost: dict[object, int] = {}  # __id__ → the largest walk of its subtree seen
    building: set[object] = set()  # __id__s of the nodes being walked (the ancestors)
    # An explicit stack of frames [node, pending children, steps so far, depth].
    frames: list[list[Any]] = []

    def enter(node: dict[str, Any], depth: int) -> None:
        if depth > MAX_DEPTH:
            raise refuse(f"its object tree is nested deeper than {MAX_DEPTH} levels.")
        if node.get("__id__") is not None:
            building.add(node["__id__"])
        _record(node, facts)
        frames.append([node, _node_children(node), 1, depth])

    enter(schema, 0)
    while frames:
        frame = frames[-1]
        node, pending, steps, depth = frame
        if pending:
            child = pending.pop(0)
            child_id = child.get("__id__")
            if child_id is not None and child_id in building:
                raise refuse("its object tree refers back to itself (a loop).")
            if child_id is not None and child_id in cost and _is_reference(child):
                frame[2] += cost[child_id]
            elif child.get("__loader__") == "CachedNode":
                frame[2] += 1  # refers to a node skops has not built: skops refuses it
            else:
                enter(child, depth + 1)
            continue
        if steps > MAX_WALK_STEPS:
            raise refuse(
                "its object tree shares parts so often that walking it would take more "
                f"than {MAX_WALK_STEPS:,} steps (a graph bomb)."
            )
        frames.pop()
        node_id = node.get("__id__")
        if node_id is not None:
            building.discard(node_id)
            steps = cost[node_id] = max(cost.get(node_id, 0), steps)
        if frames:
            frames[-1][2] += steps
        else:
            facts.walk_steps = steps
    return facts


def _record(node: dict[str, Any], facts: SchemaFacts) -> None:
    facts.nodes += 1
    module, name = node.get("__module__"), node.get("__class__")
    if isinstance(module, str) and isinstance(name, str):
        facts.types.add(f"{module}.{name}")
    file = node.get("file")
    if file is not None:
        if not isinstance(file, str):
            raise refuse("its schema names a member that is not a file name.")
        facts.files.add(file)
        facts.file_kinds[file] = str(node.get("__loader__"))


def _npy_check(name: str, head: bytes, size: int) -> None:
    """A NumPy array member: a valid header, no Python objects, the size it announces."""
    if not head.startswith(_NPY_MAGIC):
        raise refuse(f"the member {name!r} is not a NumPy array.")
    stream = io.BytesIO(head)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, _fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, _fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:  # skops writes with np.save, version 1.0 unless a header is huge
            raise ValueError(f"NumPy format version {version} is not accepted")
    except (ValueError, SyntaxError, TypeError) as error:
        raise refuse(f"the member {name!r} has a damaged NumPy header ({error}).") from error
    if dtype.hasobject:
        raise refuse(f"the member {name!r} holds Python objects (a pickle inside a NumPy array).")
    expected = stream.tell() + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if expected != size:
        raise refuse(f"the member {name!r} is {size} bytes where its header says {expected}.")


def _npz_check(name: str, content: Path, limits: ArchiveLimits) -> None:
    """A sparse matrix member: itself a zip of NumPy arrays, checked as strictly."""
    try:
        with Archive(content, limits) as inner:
            for member in inner.members:
                head, size = _head_and_size(inner, member.filename)
                _npy_check(f"{name}/{member.filename}", head, size)
    except ArtifactRefused as error:
        raise refuse(
            f"the member {name!r} is not a clean sparse matrix: {_reason(error)}"
        ) from error


def _reason(error: ArtifactRefused) -> str:
    return error.message.removeprefix("This .skops file was refused: ")


def _head_and_size(archive: Archive, name: str, copy_to: Path | None = None) -> tuple[bytes, int]:
    head, size = b"", 0
    copy = copy_to.open("wb") if copy_to else None
    try:
        for chunk in archive.read_member(name):
            if len(head) < HEAD:
                head += chunk[: HEAD - len(head)]
            size += len(chunk)
            if copy:
                copy.write(chunk)
    finally:
        if copy:
            copy.close()
    return head, size


def members_check(archive: Archive, facts: SchemaFacts) -> None:
    """Every member read once (CRCs verified), referenced by the tree and of its kind."""
    missing = sorted(facts.files - archive.names)
    if missing:
        raise refuse(f"its schema refers to the member {missing[0]!r}, which is not there.")
    extra = sorted(archive.names - facts.files - {SCHEMA})
    if extra:
        raise refuse(
            f"the member {extra[0]!r} is not part of the model (its schema never refers to "
            "it): something was added to the file."
        )
    with tempfile.TemporaryDirectory(prefix="qualiti-gate-") as folder:
        for name in sorted(facts.files):
            copy = Path(folder) / "member.npz" if name.endswith(".npz") else None
            head, size = _head_and_size(archive, name, copy)
            if is_pickle(head):
                raise refuse(f"the member {name!r} is a Python pickle.")
            kind = facts.file_kinds.get(name, "")
            if name.endswith(".npy") or kind == "NdArrayNode":
                _npy_check(name, head, size)
            elif name.endswith(".npz") or kind == "SparseMatrixNode":
                if copy is None:
                    raise refuse(f"the member {name!r} should be a sparse matrix (.npz).")
                _npz_check(name, copy, archive.limits)
            elif kind not in ("BytesNode", "BytearrayNode"):
                raise refuse(f"the member {name!r} is of a kind skops does not write.")


def schema_read(archive: Archive) -> tuple[bytes, object]:
    if SCHEMA not in archive.names:
        raise refuse("it has no schema.json, so it is not a skops file.")
    raw = archive.read_all(SCHEMA, archive.limits.max_schema_bytes)
    try:
        return raw, json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise refuse(f"its schema.json is not valid JSON ({error}).") from error


def skeleton(schema_bytes: bytes, names: set[str]) -> bytes:
    """The archive with its schema and every other member emptied: what skops' own type
    audit needs (the members must exist; it never looks inside them)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as copy:
        copy.writestr(SCHEMA, schema_bytes)
        for name in sorted(names - {SCHEMA}):
            copy.writestr(name, b"")
    return buffer.getvalue()
