from django.core.management.base import BaseCommand, CommandError

from qualiti.demo.large import large_seed
from qualiti.demo.seed import DEMO_PASSWORD, DemoDataRefused


class Command(BaseCommand):
    help = "Load a large portfolio for load tests: 50 projects, 200 runs, 10,000 findings."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--projects", type=int, default=50)
        parser.add_argument("--runs", type=int, default=200)
        parser.add_argument("--findings", type=int, default=10_000)

    def handle(self, *args: object, **options) -> None:
        if min(options["projects"], options["runs"], options["findings"]) < 1:
            raise CommandError("--projects, --runs and --findings must be at least 1.")
        try:
            summary = large_seed(
                projects=options["projects"], runs=options["runs"], findings=options["findings"]
            )
        except DemoDataRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {summary.projects} projects, {summary.runs} runs, "
                f"{summary.findings} findings."
            )
        )
        self.stdout.write(f"Logins: {', '.join(summary.users)}; password {DEMO_PASSWORD}")
