import os
import sys

from apps.evaluations.engine.cli import main

code = main()
# Everything is written by now (the JSON file is closed): skip the interpreter's teardown,
# which at a million rows spends half a second freeing the frames object by object.
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
