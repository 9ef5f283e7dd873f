from django.contrib import admin

from apps.projects.models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "risk_level", "development_team", "created_at")
    list_filter = ("risk_level",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
