from django.core.management.base import BaseCommand, CommandError

from apps.projects.demo import DEMO_PASSWORD, DEMO_USERS, DemoDataRefused, demo_seed


class Command(BaseCommand):
    help = "Load the demo users and project (idempotent; refused under production settings)."

    def handle(self, *args: object, **options: object) -> None:
        try:
            summary = demo_seed()
        except DemoDataRefused as error:
            raise CommandError(str(error)) from error
        if summary.changed:
            self.stdout.write(
                self.style.SUCCESS("Demo data created: " + ", ".join(summary.created))
            )
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        logins = ", ".join(f"{username} ({label})" for username, _r, _p, label in DEMO_USERS)
        self.stdout.write(f"Demo logins: {logins}; password {DEMO_PASSWORD}")
