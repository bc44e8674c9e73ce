from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "nexus.demo"
    label = "demo"
    verbose_name = "Demo data"
