from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "nexus.shipping"
    label = "shipping"
    verbose_name = "Shipping"
