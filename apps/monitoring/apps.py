from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "apps.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        # The projects app calls this after each dataset's validation without importing
        # this app (it sits below it): a production sample is monitored on arrival.
        from apps.monitoring.services.batches import monitoring_on_dataset_validated
        from apps.projects.services.hooks import after_dataset_validated_register

        after_dataset_validated_register(monitoring_on_dataset_validated)
