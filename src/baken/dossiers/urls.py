"""Dossier URLs (Dutch paths)."""

from django.urls import path

from baken.dossiers import views, views_privacy

app_name = "dossiers"
urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("nieuw/", views.dossier_new, name="new"),
    path("<uuid:pk>/", views.dossier_detail, name="detail"),
    path("<uuid:pk>/stap/<int:step>/", views.dossier_step, name="step"),
    path("<uuid:pk>/signalen/", views.record_signals, name="signals"),
    path("<uuid:pk>/vastleggen/<slug:kind>/", views.record_entry, name="record"),
    path("<uuid:pk>/acuut-gevaar/", views.acute, name="acute"),
    path("<uuid:pk>/corrigeren/<int:sequence>/", views.correct, name="correct"),
    path("<uuid:pk>/afsluiten/", views.close, name="close"),
    path("<uuid:pk>/team/", views.team, name="team"),
    path("<uuid:pk>/gegevens/", views.details, name="details"),
    path("<uuid:pk>/inzage/", views.access_log, name="access_log"),
    path("<uuid:pk>/export/", views_privacy.export, name="export"),
    path("<uuid:pk>/export.json", views_privacy.export, {"fmt": "json"}, name="export_json"),
    path("<uuid:pk>/afdrukken/", views_privacy.print_view, name="print"),
    path("noodtoegang/", views_privacy.break_glass_open, name="break_glass"),
]
