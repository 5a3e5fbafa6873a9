"""CoMensha URLs (Dutch paths), namespace ``comensha``."""

from django.urls import path

from baken.comensha import views

app_name = "comensha"
urlpatterns = [
    path("dossiers/<uuid:pk>/comensha/", views.detail, name="detail"),
    path("dossiers/<uuid:pk>/comensha/registratie/", views.register, name="register"),
    path(
        "dossiers/<uuid:pk>/comensha/registratie/afdrukken/",
        views.print_view,
        name="print",
    ),
    path(
        "dossiers/<uuid:pk>/comensha/registratie.json",
        views.export_json,
        name="export_json",
    ),
]
