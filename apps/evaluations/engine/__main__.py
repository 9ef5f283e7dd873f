import os
import sys

from apps.evaluations.engine.cli_arguments import start_model_early

# Before the command line's own imports: the model's process starts loading meanwhile.
start_model_early(sys.argv[1:])

from apps.evaluations.engine.cli import main  # noqa: E402

code = main()
# Everything is written by now (the JSON file is closed): skip the interpreter's teardown,
# which at a million rows spends half a second freeing the frames object by object.
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
