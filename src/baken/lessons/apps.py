from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "baken.lessons"
    label = "lessons"
    verbose_name = "Lessen uit de keten"

    def ready(self) -> None:
        from baken.dossiers.services import dossier_closed
        from baken.lessons.figures import record_on_close

        dossier_closed.connect(record_on_close, dispatch_uid="lessons-figures")
