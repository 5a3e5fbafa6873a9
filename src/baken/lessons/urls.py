"""lessons URLs (Dutch paths)."""

app_name = "lessons"
urlpatterns: list[object] = []
