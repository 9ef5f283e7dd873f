"""`manage.py verify_report FILE`: is FILE a signed report of this instance, unaltered?

Exit status 0 when it is (and which report, of which run), 1 when it is not, 2 when the
file cannot be read.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.reports.verification import report_verify, stream_chunks

VALID, NOT_SIGNED, UNREADABLE = 0, 1, 2


class Command(BaseCommand):
    help = (
        "Say whether a file is a signed report of this instance, unaltered (its sha256 "
        "equals a signed report's stored PDF or HTML), and which report of which run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The report's PDF or HTML file.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            with Path(path).open("rb") as stream:
                verification = report_verify(chunks=stream_chunks(stream), user=None)
        except OSError as error:
            self.stderr.write(f"Cannot read {path}: {error.strerror or error}")
            sys.exit(UNREADABLE)
        style = self.style.SUCCESS if verification.valid else self.style.ERROR
        self.stdout.write(style(verification.headline()))
        for line in verification.details():
            self.stdout.write(line)
        if not verification.valid:
            sys.exit(NOT_SIGNED)
