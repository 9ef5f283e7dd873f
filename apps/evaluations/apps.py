from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "apps.evaluations"
    label = "evaluations"

    def ready(self) -> None:
        # The projects app calls this after each model version upload without importing
        # this app (it sits below it).
        from apps.evaluations.services.upload_runs import run_on_upload
        from apps.projects.services.hooks import after_model_version_upload_register

        after_model_version_upload_register(run_on_upload)
