from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The access log (NEN 7513): every event on dossier data, hash-chained."""

    name = "baken.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
