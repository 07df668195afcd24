from django.urls import path

from scheduling import reminder_views, views

app_name = "scheduling"
urlpatterns = [
    path("", views.calendar_view, name="calendar"),
    path("book/", views.book, name="book"),
    path("open-slots/", views.open_slots, name="open_slots"),
    path("preferences/", views.preferences, name="preferences"),
    path("appointments/<int:pk>/", views.appointment_detail, name="detail"),
    path("appointments/<int:pk>/edit/", views.appointment_edit, name="edit"),
    path("appointments/<int:pk>/move/", views.appointment_move, name="move"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="cancel"),
    path("appointments/<int:pk>/status/", views.appointment_status, name="status"),
    path("availability/<int:member_pk>/", views.availability_edit, name="availability"),
    path("availability/<int:member_pk>/block/", views.block_add, name="block_add"),
    path("availability/<int:member_pk>/block/<int:block_pk>/remove/", views.block_remove, name="block_remove"),
    path("reminder-settings/", reminder_views.reminder_settings, name="reminder_settings"),
    path("reminder/<str:token>/", reminder_views.reply, name="reminder_reply"),
    path("reminder/<str:token>/<slug:action>/", reminder_views.reply, name="reminder_reply_action"),
    path("settings/<slug:kind>/", views.settings_list, name="settings"),
    path("settings/<slug:kind>/new/", views.settings_edit, name="settings_add"),
    path("settings/<slug:kind>/<int:pk>/", views.settings_edit, name="settings_edit"),
]
