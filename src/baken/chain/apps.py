from django.apps import AppConfig


class ChainConfig(AppConfig):
    name = "baken.chain"
    label = "chain"
    verbose_name = "Keten"

    def ready(self) -> None:
        from baken.chain.services import end_reminders_of_closed_dossier
        from baken.dossiers.services import dossier_closed

        dossier_closed.connect(end_reminders_of_closed_dossier, dispatch_uid="chain-reminders")
