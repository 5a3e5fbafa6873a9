from django.apps import AppConfig


class ComenshaConfig(AppConfig):
    name = "baken.comensha"
    label = "comensha"
    verbose_name = "CoMensha"
