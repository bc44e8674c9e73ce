from django.apps import AppConfig


class DiscountsConfig(AppConfig):
    name = "nexus.discounts"
    label = "discounts"
    verbose_name = "Discounts"
