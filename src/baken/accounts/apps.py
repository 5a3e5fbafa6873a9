from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Organisations, users and their roles, login (django-allauth) and the first-run setup."""

    name = "baken.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Log logins, logouts, failed logins and lockouts in the access log."""
        from baken.accounts import signals

        signals.connect()
