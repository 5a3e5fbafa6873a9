"""The benchmark's yardstick: a 20-line Django template behind the same middleware as every
Baken page (session, authentication, two-factor check, CSRF, CSP, axes), for a logged-in
user, with the same context processors. It reads nothing itself. The URLconf is Baken's
with ``/bench/bare/`` added; it exists only under ``bench_settings``, never in Baken."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

TEMPLATE = engines["django"].from_string(
    """<!DOCTYPE html>
<html lang="nl">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Kale pagina</title>
</head>
<body>
  <header><p>{{ request.user.get_full_name }}</p></header>
  <main>
    <h1>Kale pagina</h1>
    <form method="post">{% csrf_token %}<button type="submit">Verder</button></form>
    <ul>
      {% for number in numbers %}<li>{{ number }}</li>{% endfor %}
    </ul>
  </main>
  <footer><p>Baken</p></footer>
</body>
</html>
"""
)


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(TEMPLATE.render({"numbers": range(5)}, request))


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("baken.conf.urls")),
]
handler400 = "baken.web.views.bad_request"
handler403 = "baken.web.views.permission_denied"
handler404 = "baken.web.views.page_not_found"
handler429 = "baken.web.views.too_many_requests"
handler500 = "baken.web.views.server_error"
