from django.apps import AppConfig


class TestplansConfig(AppConfig):
    name = "apps.testplans"
    label = "testplans"
