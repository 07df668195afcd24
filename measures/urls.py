from django.urls import path

from measures.administrations import views
from measures.links import views as link_views

app_name = "measures"
urlpatterns = [
    path("alerts/", views.flags, name="flags"),
    path("clients/<int:pk>/give/<slug:key>/", views.give, name="give"),
    path("clients/<int:pk>/results/<int:administration_pk>/", views.administration_detail, name="administration"),
    path("clients/<int:pk>/alerts/<int:flag_pk>/respond/", views.respond, name="respond"),
    path("clients/<int:pk>/send/", link_views.send, name="send"),
    path("clients/<int:pk>/schedule/", link_views.schedule, name="schedule"),
    path("clients/<int:pk>/tablet/", link_views.kiosk_start, name="kiosk_start"),
    path("tablet/", link_views.kiosk, name="kiosk"),
    path("q/done/", link_views.done, name="done"),
    path("q/<str:token>/", link_views.answer, name="answer"),
]
