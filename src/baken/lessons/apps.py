from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "baken.lessons"
    label = "lessons"
    verbose_name = "Lessen uit de keten"
