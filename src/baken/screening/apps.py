from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "baken.screening"
    label = "screening"
    verbose_name = "Screeningsoverleg"
