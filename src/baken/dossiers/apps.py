from django.apps import AppConfig


class DossiersConfig(AppConfig):
    """Dossiers: the five steps recorded as an append-only timeline, with the engine's advice."""

    name = "baken.dossiers"
    label = "dossiers"
    default_auto_field = "django.db.models.BigAutoField"
