from django.contrib import admin

from apps.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("id", "project", "url", "format", "active", "failing_since", "created_by")
    list_filter = ("active", "format")
    list_select_related = ("project", "created_by")
    exclude = ("secret",)  # never shown again after creation
    readonly_fields = ("failing_since", "next_send_at", "disabled_reason")

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # made on the project's webhooks page or the API, with a secret


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = (
        "number", "started_at", "duration_ms", "response_status", "error", "succeeded",
    )  # fmt: skip
    exclude = ("response_excerpt",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "webhook", "event", "status", "attempts", "response_status", "created_at")
    list_filter = ("status", "event")
    list_select_related = ("webhook",)
    inlines = [WebhookAttemptInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the delivery log is written by the services only
