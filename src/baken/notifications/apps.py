from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Berichten in the app and by e-mail, and reminders that the background worker sends."""

    name = "baken.notifications"
    label = "notifications"
    verbose_name = _("Messages")
    default_auto_field = "django.db.models.BigAutoField"
