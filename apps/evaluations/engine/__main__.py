import sys

from apps.evaluations.engine.cli import main

sys.exit(main())
