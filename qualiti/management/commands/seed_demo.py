from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.projects.models import Project
from qualiti.demo.monitoring import demo_monitoring_seed
from qualiti.demo.runs import demo_runs_seed
from qualiti.demo.seed import (
    DEMO_PASSWORD,
    DEMO_PROJECT_SLUG,
    DEMO_USERS,
    DemoDataRefused,
    demo_seed,
)


class Command(BaseCommand):
    help = "Load the demo users and project (idempotent; refused under production settings)."

    def handle(self, *args: object, **options: object) -> None:
        try:
            summary = demo_seed()
        except DemoDataRefused as error:
            raise CommandError(str(error)) from error
        # Runs execute outside the seed's transaction: a run writes its heartbeat from a thread.
        project = Project.objects.get(slug=DEMO_PROJECT_SLUG)
        users = {user.username: user for user in User.objects.filter(username__in=["qm", "dev"])}
        created = summary.created + demo_runs_seed(
            project=project, qm=users["qm"], dev=users["dev"]
        )
        created += demo_monitoring_seed(project=project, qm=users["qm"])
        if created:
            self.stdout.write(self.style.SUCCESS("Demo data created: " + ", ".join(created)))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        logins = ", ".join(f"{username} ({label})" for username, _r, _p, label in DEMO_USERS)
        self.stdout.write(f"Demo logins: {logins}; password {DEMO_PASSWORD}")
