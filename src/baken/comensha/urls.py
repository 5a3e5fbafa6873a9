"""comensha URLs (Dutch paths)."""

app_name = "comensha"
urlpatterns: list[object] = []
