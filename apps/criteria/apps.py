from django.apps import AppConfig


class CriteriaConfig(AppConfig):
    name = "apps.criteria"
    label = "criteria"
