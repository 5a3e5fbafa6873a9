"""Berichten URLs (Dutch paths)."""

from django.urls import path

from baken.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:notification>/", views.notification_open, name="open"),
]
