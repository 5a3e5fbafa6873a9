"""Baken's URL configuration (Dutch paths: they are what a professional reads and shares)."""

from django.urls import include, path

from baken.web.views import start

urlpatterns = [
    path("", start, name="start"),
    path("account/", include("allauth.urls")),
    path("beheer/", include("baken.accounts.urls")),
    path("dossiers/", include("baken.dossiers.urls")),
    path("handboek/", include("baken.web.urls")),
]
