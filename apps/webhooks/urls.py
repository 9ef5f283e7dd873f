"""A project's webhooks pages (under projects/<slug>/webhooks/)."""

from django.urls import path

from apps.webhooks import views

urlpatterns = [
    path("", views.webhooks, name="webhook-list"),
    path("new/", views.webhook_create_view, name="webhook-create"),
    path("<int:pk>/", views.webhook_detail, name="webhook-detail"),
    path("<int:pk>/active/", views.webhook_active_view, name="webhook-active"),
    path("<int:pk>/delete/", views.webhook_delete_view, name="webhook-delete"),
    path(
        "<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        views.delivery_redeliver_view,
        name="webhook-redeliver",
    ),
]
