import importlib
import pkgutil

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "apps.reports"
    label = "reports"

    def ready(self) -> None:
        # Each module of apps/reports/render/ registers the renderer of its kind of report
        # when imported: importing them all here makes every kind available.
        from apps.reports import render

        for module in pkgutil.iter_modules(render.__path__):
            importlib.import_module(f"{render.__name__}.{module.name}")
