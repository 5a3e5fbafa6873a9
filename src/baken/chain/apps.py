from django.apps import AppConfig


class ChainConfig(AppConfig):
    name = "baken.chain"
    label = "chain"
    verbose_name = "Keten"

    def ready(self) -> None:
        from baken.chain.presenters import registration_rows
        from baken.chain.services import end_reminders_of_closed_dossier
        from baken.chain.trajectory_presenters import register as register_trajectory
        from baken.dossiers.models import EntryKind
        from baken.dossiers.presenters import register_rows
        from baken.dossiers.services import dossier_closed

        dossier_closed.connect(end_reminders_of_closed_dossier, dispatch_uid="chain-reminders")
        register_rows(EntryKind.REGISTRATION, registration_rows)
        register_trajectory()
