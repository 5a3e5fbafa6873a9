"""lessons URLs (Dutch paths), mounted at ``/lessen/``."""

from django.urls import path

from baken.lessons import views

app_name = "lessons"
urlpatterns = [
    path("", views.index, name="index"),
]
