from django.urls import include, path

from hearth import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("accounts.urls")),
    path("clients/", include("clients.urls")),
    path("audit/", include("reports.urls")),
    path("tickets/", include("tickets.urls")),
    path("schedule/", include("scheduling.urls")),
    path("notes/", include("notes.urls")),
    path("measures/", include("measures.urls")),
]
