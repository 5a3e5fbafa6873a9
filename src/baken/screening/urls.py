"""Screening URLs (Dutch paths). Mounted at the root: the zorgcoördinator's page hangs
under their dossier, the procesregisseur's and the ketenregisseur's under ``screening/``."""

from django.urls import path

from baken.screening import views

app_name = "screening"
urlpatterns = [
    path("dossiers/<uuid:pk>/screening/", views.place, name="place"),
    path("screening/", views.meetings, name="meetings"),
    path("screening/nieuw/", views.meeting_new, name="meeting_new"),
    path("screening/overleg/<uuid:meeting>/", views.meeting, name="meeting"),
    path("screening/agendapunt/<uuid:item>/", views.item, name="item"),
    path("screening/riec/", views.riec, name="riec"),
    path("screening/riec/<uuid:item>/", views.riec_item, name="riec_item"),
]
