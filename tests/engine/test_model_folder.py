"""The model's process's folder: removed by the next run once its maker is gone."""

import os
import subprocess
import sys

from apps.evaluations.engine.model_folder import PREFIX, ModelFolder, remove_orphaned_folders


def test_a_folder_is_kept_while_its_maker_runs_and_removed_with_it(tmp_path):
    folder = ModelFolder(tmp_path)
    (folder.path / "batch-1-in.arrow").write_bytes(b"data handed over")

    kept = remove_orphaned_folders(tmp_path)
    folder.remove()

    assert kept == [] and not folder.path.exists()


def test_the_folder_of_a_process_that_ended_without_removing_it_goes_at_the_next_one(tmp_path):
    made = subprocess.run(
        [sys.executable, "-c", "import sys\n"
         "from apps.evaluations.engine.model_folder import ModelFolder\n"
         "print(ModelFolder(sys.argv[1]).path)\n"
         "import os; os._exit(0)  # as if killed: nothing removed", str(tmp_path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    left = tmp_path / made.stdout.strip()
    existed = left.exists()

    folder = ModelFolder(tmp_path)

    assert existed and not left.exists()
    assert folder.path.exists()
    folder.remove()


def test_folders_without_a_lock_of_ours_are_left_alone(tmp_path):
    """Made before locks, or caught between their making and their lock; and a lock that
    the model's code replaced by a pipe or a link is neither waited on nor followed."""
    unlocked = tmp_path / f"{PREFIX}unlocked"
    unlocked.mkdir()
    piped = tmp_path / f"{PREFIX}piped"
    piped.mkdir()
    os.mkfifo(piped / ".held")
    linked = tmp_path / f"{PREFIX}linked"
    linked.mkdir()
    (linked / ".held").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "elsewhere").write_text("")

    removed = remove_orphaned_folders(tmp_path)

    assert removed == []
    assert unlocked.exists() and piped.exists() and linked.exists()
