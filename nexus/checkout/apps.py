from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "nexus.checkout"
    label = "checkout"
    verbose_name = "Checkout"
