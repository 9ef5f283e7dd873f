"""The model's process's folder: removed by the next run when its owner is gone."""

import json
import os
import socket
import subprocess
import sys

from apps.evaluations.engine.child_process import FOLDER_PREFIX, own_folder, remove_orphaned_folders


def gone_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def folder(root, name, owner):
    path = root / f"{FOLDER_PREFIX}{name}"
    path.mkdir()
    (path / "batch-1-in.arrow").write_bytes(b"data handed over")
    if owner is not None:
        (path / "owner.json").write_text(owner if isinstance(owner, str) else json.dumps(owner))
    return path


def test_only_folders_of_processes_gone_from_this_host_are_removed(tmp_path):
    host = socket.gethostname()
    orphaned = folder(tmp_path, "gone", {"host": host, "pid": gone_pid()})
    kept = [
        folder(tmp_path, "alive", {"host": host, "pid": os.getpid()}),
        folder(tmp_path, "elsewhere", {"host": host + "-other", "pid": gone_pid()}),
        folder(tmp_path, "unknown", None),
        folder(tmp_path, "unreadable", "{not json"),
        folder(tmp_path, "no pid", {"host": host, "pid": "none"}),
    ]

    removed = remove_orphaned_folders(tmp_path)

    assert removed == [orphaned] and not orphaned.exists()
    assert all(path.exists() for path in kept)


def test_a_new_folder_names_its_owner():
    path = own_folder()
    try:
        owner = json.loads((path / "owner.json").read_text())
        assert owner == {"host": socket.gethostname(), "pid": os.getpid()}
        assert path.name.startswith(FOLDER_PREFIX)
    finally:
        (path / "owner.json").unlink()
        path.rmdir()
