"""The folder of a model's process (the data handed to it, its outputs, its log), held by
the process that made it.

A worker killed outright (a hard time limit, the out-of-memory killer) cannot remove the
folder of its model's process, with the data it handed over. So each folder carries a lock
that its maker holds for as long as it lives (flock: the kernel lets go of it when the
process ends, whatever ended it), and a new folder is made only after removing those whose
lock nobody holds. Nothing in a folder is read: the model's code runs in it."""

import fcntl
import os
import shutil
import stat
import tempfile
from pathlib import Path

PREFIX = "qualiti-model-"
_LOCK = ".held"


class ModelFolder:
    """A new folder, locked; `remove` deletes it and lets go of the lock."""

    def __init__(self, root: Path | None = None) -> None:
        remove_orphaned_folders(root)
        self.path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=root))
        try:
            self._lock: int | None = _held_lock(self.path)
        except OSError:
            shutil.rmtree(self.path, ignore_errors=True)
            raise

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        lock, self._lock = self._lock, None
        if lock is not None:
            os.close(lock)


def _held_lock(folder: Path) -> int:
    """Locked before it takes its name, so that no sweep sees the folder's lock free."""
    unnamed = folder / f"{_LOCK}.new"
    lock = os.open(unnamed, os.O_CREAT | os.O_EXCL | os.O_RDWR | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        unnamed.rename(folder / _LOCK)
    except OSError:
        os.close(lock)
        raise
    return lock


def remove_orphaned_folders(root: Path | None = None) -> list[Path]:
    """Remove the model folders whose lock nobody holds; those without a lock of ours
    (made before locks, or between their making and their lock) are left alone."""
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(f"{PREFIX}*"):
        if _orphaned(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _orphaned(folder: Path) -> bool:
    try:  # never follows a link, never waits on a pipe
        lock = os.open(folder / _LOCK, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(lock).st_mode):
            return False
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held elsewhere: BlockingIOError
    except OSError:
        return False
    finally:
        os.close(lock)
    return True
