"""Management of organisations and users (functioneel beheerder), and the first-run setup."""

from django.urls import path

from baken.accounts import views
from baken.dossiers import views_privacy

app_name = "accounts"
urlpatterns = [
    path("", views.manage, name="manage"),
    path("organisaties/nieuw/", views.organisation_create, name="organisation_create"),
    path("gebruikers/nieuw/", views.user_create, name="user_create"),
    path("gebruikers/<int:pk>/deactiveren/", views.user_deactivate, name="user_deactivate"),
    path("gebruikers/<int:pk>/heractiveren/", views.user_reactivate, name="user_reactivate"),
    path("gebruikers/<int:pk>/rol/", views.user_role, name="user_role"),
    path(
        "gebruikers/<int:pk>/tweestapsverificatie-herstellen/",
        views.user_reset_two_factor,
        name="user_reset_two_factor",
    ),
    path("noodtoegang/", views_privacy.break_glass_review, name="break_glass_review"),
    path("installatie/<str:token>/", views.setup, name="setup"),
]
