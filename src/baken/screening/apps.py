from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "baken.screening"
    label = "screening"
    verbose_name = "Screeningsoverleg"

    def ready(self) -> None:
        from baken.dossiers.models import EntryKind
        from baken.dossiers.presenters import register_rows
        from baken.screening.presenters import screening_rows

        register_rows(EntryKind.SCREENING, screening_rows)
