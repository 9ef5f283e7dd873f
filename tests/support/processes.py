"""The model processes (the engine's sandbox children) a process has started."""

from collections.abc import Iterator
from pathlib import Path

RUNNER_CHILD = b"apps.evaluations.engine.runner_child"


def process_entries() -> Iterator[Path]:
    """/proc's folder of each process."""
    return (entry for entry in Path("/proc").iterdir() if entry.name.isdigit())


def model_processes(parent: int) -> list[int]:
    """Pids of the `runner_child` processes whose parent is `parent`, and of its Python
    children that exited without being waited for (a zombie keeps its slot, but no longer
    its command line)."""
    found = []
    for entry in process_entries():
        try:
            command = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat.split(" (", 1)[1].rsplit(") ", 1)
        state, parent_pid = rest.split()[:2]
        if int(parent_pid) != parent:
            continue
        if RUNNER_CHILD in command or (state == "Z" and name.startswith("python")):
            found.append(int(entry.name))
    return found
