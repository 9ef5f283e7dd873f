"""Hostile model files, each built here at test time: what an attacker would upload.

`HOSTILE` maps a name to (file name, a function making the bytes, words the refusal must
contain). Every one must be refused at upload with a 400 in under 30 s, by the command
line with exit 2 and one line, and by a run before anything of it is used.
"""

import io
import json
import operator
import os
import pickle
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable

import numpy as np
import onnx
import skops.io
from onnx import TensorProto, helper
from sklearn.preprocessing import FunctionTransformer

from tests.support import genuine_models

# --- skops archives ----------------------------------------------------------------------


def _members(archive_bytes: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _archive(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def genuine_skops() -> bytes:
    return genuine_models.skops_model("random_forest")


def untrusted_function(function: object) -> Callable[[], bytes]:
    return lambda: skops.io.dumps(FunctionTransformer(func=function))


def corrupt_tree() -> bytes:
    """A fitted decision tree whose first node's left child points far outside the tree:
    predicting with it reads memory that is not the tree's."""
    members = _members(genuine_models.skops_model("decision_tree"))
    for name, content in members.items():
        if not name.endswith(".npy"):
            continue
        array = np.load(io.BytesIO(content), allow_pickle=False)
        if array.dtype.names and "left_child" in array.dtype.names:
            array["left_child"][0] = 10**9
            buffer = io.BytesIO()
            np.save(buffer, array, allow_pickle=False)
            members[name] = buffer.getvalue()
            return _archive(members)
    raise AssertionError("no tree nodes in the archive")


def smuggled_pickle_member() -> bytes:
    members = _members(genuine_skops())
    members["extra.pkl"] = pickle.dumps({"run": "me"}, protocol=4)
    return _archive(members)


def pickle_replacing_an_array() -> bytes:
    members = _members(genuine_skops())
    name = next(name for name in members if name.endswith(".npy"))
    members[name] = pickle.dumps([1, 2, 3], protocol=4)
    return _archive(members)


def object_array_member() -> bytes:
    members = _members(genuine_skops())
    name = next(name for name in members if name.endswith(".npy"))
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    members[name] = buffer.getvalue()
    return _archive(members)


def member_named(name: str, *, symlink: bool = False) -> Callable[[], bytes]:
    def make() -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for member, content in _members(genuine_skops()).items():
                archive.writestr(member, content)
            info = zipfile.ZipInfo(name)
            if symlink:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, b"/etc/passwd" if symlink else b"x")
        return buffer.getvalue()

    return make


def _patch_member_headers(archive_bytes: bytes, patch: Callable[[bytearray, int], None]) -> bytes:
    """Apply `patch(data, offset_of_the_general_purpose_flag)` to the first member's local
    header and its central directory entry alike."""
    data = bytearray(archive_bytes)
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        first = archive.infolist()[0]
    patch(data, first.header_offset + 6)  # local header: flags at +6, method at +8
    central = data.find(b"PK\x01\x02")
    patch(data, central + 8)  # central entry: flags at +8, method at +10
    return bytes(data)


def encrypted_member() -> bytes:
    def set_encrypted(data: bytearray, flags: int) -> None:
        value = struct.unpack_from("<H", data, flags)[0] | 0x1
        struct.pack_into("<H", data, flags, value)

    return _patch_member_headers(genuine_skops(), set_encrypted)


def unknown_method_member() -> bytes:
    def set_method(data: bytearray, flags: int) -> None:
        struct.pack_into("<H", data, flags + 2, 99)

    return _patch_member_headers(genuine_skops(), set_method)


def bad_crc_member() -> bytes:
    data = bytearray(_archive(_members(genuine_skops()), method=zipfile.ZIP_STORED))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        member = next(m for m in archive.infolist() if m.filename.endswith(".npy"))
    start = member.header_offset + 30 + len(member.filename.encode()) + len(member.extra)
    data[start + member.compress_size - 1] ^= 0xFF
    return bytes(data)


def zip_bomb() -> bytes:
    members = {"schema.json": _members(genuine_skops())["schema.json"]}
    members["bomb.npy"] = bytes(64 * 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _schema_archive(schema: dict) -> bytes:
    return _archive({"schema.json": json.dumps(schema).encode()})


def graph_bomb(levels: int = 60) -> bytes:
    """Each level's list holds the level below twice (the second time by its `__id__`):
    a few kilobytes that a walk without memory takes 2^60 steps to cross."""
    node = {"__class__": "int", "__module__": "builtins", "__loader__": "JsonNode",
            "content": "1", "is_json": True, "__id__": 1}  # fmt: skip
    for level in range(2, levels + 2):
        reference = {key: node[key] for key in ("__class__", "__module__", "__loader__", "__id__")}
        reference["__loader__"] = "CachedNode"
        node = {"__class__": "list", "__module__": "builtins", "__loader__": "ListNode",
                "content": [node, reference], "__id__": level}  # fmt: skip
    return _schema_archive({**node, "protocol": skops.io._protocol.PROTOCOL})


def loop_schema() -> bytes:
    """A list that contains itself."""
    root = {"__class__": "list", "__module__": "builtins", "__loader__": "ListNode", "__id__": 7,
            "protocol": skops.io._protocol.PROTOCOL}  # fmt: skip
    root["content"] = [{"__class__": "list", "__module__": "builtins", "__loader__": "CachedNode",
                        "__id__": 7}]  # fmt: skip
    return _schema_archive(root)


def pickle_then_zip() -> bytes:
    """A pickle/zip polyglot: pickle.load runs the pickle, zip readers see the archive."""
    return pickle.dumps({"run": "me"}, protocol=4) + genuine_skops()


def zip_then_pickle() -> bytes:
    return genuine_skops() + pickle.dumps({"run": "me"}, protocol=4)


def pickle_renamed() -> bytes:
    return pickle.dumps(genuine_models.estimators()["random_forest"][0], protocol=5)


# --- ONNX --------------------------------------------------------------------------------


def _onnx(nodes, inputs, outputs, initializers=(), opsets=(("", 17),)) -> bytes:
    graph = helper.make_graph(nodes, "hostile", inputs, outputs, list(initializers))
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid(domain, version) for domain, version in opsets]
    )
    model.ir_version = 8
    return model.SerializeToString()


def _row_input(name: str = "X"):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, [None, 4])


def onnx_external_data() -> bytes:
    weights = helper.make_tensor("W", TensorProto.FLOAT, [4, 1], [1.0] * 4)
    model_bytes = _onnx(
        [helper.make_node("MatMul", ["X", "W"], ["Y"])],
        [_row_input()],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 1])],
        [weights],
    )
    model = onnx.load_from_string(model_bytes)
    tensor = model.graph.initializer[0]
    tensor.ClearField("float_data")
    tensor.data_location = TensorProto.EXTERNAL
    entry = tensor.external_data.add()
    entry.key, entry.value = "location", "/etc/passwd"
    return model.SerializeToString()


def onnx_custom_operator() -> bytes:
    return _onnx(
        [helper.make_node("RunShell", ["X"], ["Y"], domain="com.example.evil")],
        [_row_input()],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 4])],
        opsets=(("", 17), ("com.example.evil", 1)),
    )


def onnx_unknown_opset() -> bytes:
    return _onnx(
        [helper.make_node("Identity", ["X"], ["Y"])],
        [_row_input()],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 4])],
        opsets=(("", 9999),),
    )


def onnx_endless_loop() -> bytes:
    """A Loop of 2^62 iterations before the output: loads at once, never answers."""
    body = helper.make_graph(
        [helper.make_node("Add", ["v_in", "one"], ["v_out"]),
         helper.make_node("Identity", ["cond_in"], ["cond_out"])],
        "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("v_in", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("v_out", TensorProto.FLOAT, [1])],
        [helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])],
    )  # fmt: skip
    return _onnx(
        [helper.make_node("Loop", ["M", "cond", "v0"], ["v_final"], body=body),
         helper.make_node("Add", ["X", "v_final"], ["Y"])],
        [_row_input()],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 4])],
        [helper.make_tensor("M", TensorProto.INT64, [], [2**62]),
         helper.make_tensor("cond", TensorProto.BOOL, [], [True]),
         helper.make_tensor("v0", TensorProto.FLOAT, [1], [0.0])],
    )  # fmt: skip


def onnx_memory_bomb() -> bytes:
    """One row in, a 2^40-element tensor out: the sandbox's memory limit stops it."""
    return _onnx(
        [helper.make_node("ConstantOfShape", ["shape"], ["Y"])],
        [_row_input()],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, None])],
        [helper.make_tensor("shape", TensorProto.INT64, [2], [2**20, 2**20])],
    )


def gzip_pickle() -> bytes:
    return zlib.compress(pickle.dumps({"run": "me"}, protocol=4))


# name → (file name, maker, words the refusal contains)
HOSTILE: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "skops_builtins_eval": ("model.skops", untrusted_function(eval), "builtins.eval"),
    "skops_os_system": ("model.skops", untrusted_function(os.system), "system"),
    "skops_operator_chain": (
        "model.skops", untrusted_function(operator.methodcaller("system", "id")),
        "operator.methodcaller",
    ),
    "skops_attrgetter": (
        "model.skops", untrusted_function(operator.attrgetter("a")), "operator.attrgetter",
    ),
    "skops_corrupt_tree": ("model.skops", corrupt_tree, "corrupt tree"),
    "skops_smuggled_pickle_member": ("model.skops", smuggled_pickle_member, "'extra.pkl'"),
    "skops_pickle_as_array": ("model.skops", pickle_replacing_an_array, "pickle"),
    "skops_object_array": ("model.skops", object_array_member, "Python objects"),
    "skops_symlink_member": ("model.skops", member_named("link", symlink=True), "symbolic link"),
    "skops_zip_slip": ("model.skops", member_named("../../evil.npy"), "leaves the archive"),
    "skops_encrypted_member": ("model.skops", encrypted_member, "encrypted"),
    "skops_bad_crc": ("model.skops", bad_crc_member, "bad CRC"),
    "skops_unknown_method": ("model.skops", unknown_method_member, "compression method 99"),
    "skops_zip_bomb": ("model.skops", zip_bomb, "zip bomb"),
    "skops_graph_bomb": ("model.skops", graph_bomb, "graph bomb"),
    "skops_loop": ("model.skops", loop_schema, "refers back to itself"),
    "polyglot_pickle_then_zip": ("model.skops", pickle_then_zip, "pickle"),
    "polyglot_zip_then_pickle": ("model.skops", zip_then_pickle, "after its end record"),
    "pickle_renamed_onnx": ("model.onnx", pickle_renamed, "pickle"),
    "compressed_pickle": ("model.onnx", gzip_pickle, "pickle"),
    "onnx_external_data": ("model.onnx", onnx_external_data, "external files"),
    "onnx_custom_operator": ("model.onnx", onnx_custom_operator, "com.example.evil"),
    "onnx_unknown_opset": ("model.onnx", onnx_unknown_opset, "version 9999"),
    "onnx_endless_loop": ("model.onnx", onnx_endless_loop, "did not finish"),
    "onnx_memory_bomb": ("model.onnx", onnx_memory_bomb, "MB"),
}  # fmt: skip
