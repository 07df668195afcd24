from django.urls import path

from clients import views

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_register, name="register"),
    path("<int:pk>/", views.client_chart, name="chart"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/emergency-access/", views.client_break_glass, name="break_glass"),
]
