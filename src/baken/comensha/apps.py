from django.apps import AppConfig


class ComenshaConfig(AppConfig):
    name = "baken.comensha"
    label = "comensha"
    verbose_name = "CoMensha"

    def ready(self) -> None:
        from baken.comensha.presenters import comensha_rows
        from baken.dossiers.models import EntryKind
        from baken.dossiers.presenters import register_rows

        register_rows(EntryKind.COMENSHA, comensha_rows)
