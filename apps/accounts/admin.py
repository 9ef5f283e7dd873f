from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from apps.accounts.models import Membership, Notification, Team, User


@admin.register(User)
class QualitiUserAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Qualiti", {"fields": ("org_role",)}))
    list_display = ("username", "email", "org_role", "is_staff", "is_active")
    list_filter = ("org_role", "is_staff", "is_active")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)
    filter_horizontal = ("members",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "project", "role")
    list_filter = ("role",)
    list_select_related = ("user", "project")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "project", "read_at", "created_at")
    list_filter = ("kind",)
    list_select_related = ("user", "project")
