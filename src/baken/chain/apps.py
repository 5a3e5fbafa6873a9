from django.apps import AppConfig


class ChainConfig(AppConfig):
    name = "baken.chain"
    label = "chain"
    verbose_name = "Keten"
