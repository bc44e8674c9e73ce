from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "nexus.orders"
    label = "orders"
    verbose_name = "Orders"
