"""Baken's URL configuration."""

from django.urls import include, path

urlpatterns = [
    path("", include("baken.web.urls")),
]
