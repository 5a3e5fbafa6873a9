"""Handbook URLs (Dutch paths: they are what a professional reads and shares)."""

from django.urls import path

from baken.web import views
from baken.web.pages import PAGES

app_name = "web"
urlpatterns = [
    path(page.path, views.handbook_page, {"page": page.name}, name=page.name) for page in PAGES
]
