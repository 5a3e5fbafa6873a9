"""URLs of the zorgcoördinator's trajectory (Dutch paths), namespace ``trajectory``."""

from django.urls import path

from baken.chain import trajectory_views as views

app_name = "trajectory"
urlpatterns = [
    path("dossiers/<uuid:pk>/traject/", views.detail, name="detail"),
    path("dossiers/<uuid:pk>/traject/intake/", views.intake, name="intake"),
    path("dossiers/<uuid:pk>/traject/procedures/", views.procedures, name="procedures"),
    path(
        "dossiers/<uuid:pk>/traject/procedures/<int:sequence>/",
        views.procedure,
        name="procedure",
    ),
    path("dossiers/<uuid:pk>/traject/casusregie/", views.casusregie, name="casusregie"),
    path("dossiers/<uuid:pk>/traject/stand-van-zaken/", views.progress, name="progress"),
    path("dossiers/<uuid:pk>/traject/afsluiten/", views.close, name="close"),
]
