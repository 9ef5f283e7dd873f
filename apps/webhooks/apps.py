from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "apps.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        # Subscribed, never imported by the apps that publish (qualiti/events.py).
        from apps.webhooks.services import deliveries_for_event
        from qualiti.events import event_subscribe

        event_subscribe(deliveries_for_event)
