"""Management of organisations and users (functioneel beheerder), and the first-run setup."""

from django.urls import path

from baken.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.manage, name="manage"),
    path("organisaties/nieuw/", views.organisation_create, name="organisation_create"),
    path("gebruikers/nieuw/", views.user_create, name="user_create"),
    path("gebruikers/<int:pk>/deactiveren/", views.user_deactivate, name="user_deactivate"),
    path("gebruikers/<int:pk>/heractiveren/", views.user_reactivate, name="user_reactivate"),
    path("installatie/<str:token>/", views.setup, name="setup"),
]
