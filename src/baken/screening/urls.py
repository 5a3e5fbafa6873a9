"""screening URLs (Dutch paths)."""

app_name = "screening"
urlpatterns: list[object] = []
