"""Baken's URL configuration (Dutch paths: they are what a professional reads and shares)."""

from django.urls import include, path

from baken.web.views import health, start

urlpatterns = [
    path("", start, name="start"),
    path("health/", health, name="health"),  # for the proxy and monitoring (docs/deploy.md)
    path("account/", include("allauth.urls")),
    path("beheer/", include("baken.accounts.urls")),
    path("dossiers/", include("baken.dossiers.urls")),
    path("handboek/", include("baken.web.urls")),
    path("berichten/", include("baken.notifications.urls")),
    path("", include("baken.chain.urls")),
    path("", include("baken.chain.trajectory_urls")),
    path("", include("baken.screening.urls")),  # dossiers/<id>/screening/ and screening/
    path("", include("baken.comensha.urls")),
    path("lessen/", include("baken.lessons.urls")),
]

# Dutch error pages in the base layout (baken.web.views); 405 and bare 409 responses get
# theirs from baken.web.middleware.ErrorPageMiddleware, 429 from django-allauth's rate limits.
handler400 = "baken.web.views.bad_request"
handler403 = "baken.web.views.permission_denied"
handler404 = "baken.web.views.page_not_found"
handler429 = "baken.web.views.too_many_requests"
handler500 = "baken.web.views.server_error"
