from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "nexus.inventory"
    label = "inventory"
    verbose_name = "Inventory"
