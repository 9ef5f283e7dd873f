from django.contrib import admin
from django.db import models

from apps.standards.models import Framework, ProjectFramework, Requirement, RequirementExclusion


class RequirementInline(admin.TabularInline):
    model = Requirement
    fields = ["identifier", "group", "title", "url"]
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["identifier", "name", "version", "revision"]
    inlines = [RequirementInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default


@admin.register(ProjectFramework)
class ProjectFrameworkAdmin(admin.ModelAdmin):
    list_display = ["project", "framework", "chosen_by", "chosen_at"]
    list_select_related = ["project", "framework", "chosen_by"]


@admin.register(RequirementExclusion)
class RequirementExclusionAdmin(admin.ModelAdmin):
    list_display = ["project", "requirement", "decided_by", "decided_at"]
    list_select_related = ["project", "requirement__framework", "decided_by"]
