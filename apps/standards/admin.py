from django.contrib import admin

from apps.standards.models import Framework, Requirement


class RequirementInline(admin.TabularInline):
    model = Requirement
    fields = ["identifier", "group", "title", "url"]
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["identifier", "name", "version", "revision"]
    inlines = [RequirementInline]
