"""Chain URLs (Dutch paths)."""

from django.urls import path

from baken.chain import views

app_name = "chain"
urlpatterns = [
    path("dossiers/<uuid:pk>/adviesvraag/", views.ask_advice, name="ask_advice"),
    path("dossiers/<uuid:pk>/melding/", views.report, name="report"),
    path("dossiers/<uuid:pk>/aanmelding/", views.registration, name="registration"),
    path("dossiers/<uuid:pk>/terugkoppeling/", views.feedback, name="feedback"),
    path("dossiers/<uuid:pk>/verzonden/<uuid:share>/", views.sent, name="sent"),
    path("dossiers/<uuid:pk>/verzonden/<uuid:share>/intrekken/", views.withdraw, name="withdraw"),
    path("binnengekomen/", views.inbox, name="inbox"),
    path("binnengekomen/<uuid:share_id>/", views.share, name="share"),
    path("beheer/ketenpartners/", views.partners, name="partners"),
]
