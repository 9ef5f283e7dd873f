from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"

    def ready(self) -> None:
        # The apps where things happen publish events without importing this one.
        from apps.notifications.subscribers import notices_for_event
        from qualiti.events import event_subscribe

        event_subscribe(notices_for_event)
