from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class OrgRole(models.TextChoices):
    """The organisation-wide role; project roles live on Membership."""

    NONE = "", "None"
    ADMIN = "admin", "Admin"
    QUALITY_MANAGER = "quality_manager", "Quality manager"
    MANAGEMENT = "management", "Management"


class User(AbstractUser):
    org_role = models.CharField(max_length=32, choices=OrgRole.choices, blank=True, default="")
    # Not a field: apps.accounts.permissions caches the user's project roles here, for the
    # request this object lives in.
    _qualiti_membership_roles: dict[int, str]

    @property
    def is_org_admin(self) -> bool:
        return self.is_superuser or self.org_role == OrgRole.ADMIN

    @property
    def sees_every_project(self) -> bool:
        """Admins and management read every project; everyone else only their own."""
        return self.is_org_admin or self.org_role == OrgRole.MANAGEMENT


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProjectRole(models.TextChoices):
    QUALITY_MANAGER = "quality_manager", "Quality manager"
    DEVELOPER = "developer", "Developer"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=ProjectRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "project"], name="one_membership_per_project")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.project} ({self.role})"


class Notification(models.Model):
    """An in-app notice for one user; apps.notifications sends it by e-mail as the user chose."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    message = models.TextField()
    link = models.CharField(max_length=400, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # How it goes out by e-mail ("" none, "immediate", "digest"), chosen when it is made.
    email_delivery = models.CharField(max_length=16, blank=True, default="")
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["email_delivery", "emailed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"
