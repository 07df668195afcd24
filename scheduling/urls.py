from django.urls import path, re_path

from scheduling.appointments import views as appointments_views
from scheduling.availability import views as availability_views
from scheduling.feeds import views as feed_views
from scheduling.reminders import views as reminder_views
from scheduling.waitlist import views as waitlist_views

app_name = "scheduling"
urlpatterns = [
    path("", appointments_views.calendar_view, name="calendar"),
    path("book/", appointments_views.book, name="book"),
    path("book/clients/", appointments_views.client_search, name="client_search"),
    path("open-slots/", availability_views.open_slots, name="open_slots"),
    path("preferences/", appointments_views.preferences, name="preferences"),
    path("appointments/<int:pk>/", appointments_views.appointment_detail, name="detail"),
    path("appointments/<int:pk>/edit/", appointments_views.appointment_edit, name="edit"),
    path("appointments/<int:pk>/move/", appointments_views.appointment_move, name="move"),
    path("appointments/<int:pk>/cancel/", appointments_views.appointment_cancel, name="cancel"),
    path("appointments/<int:pk>/status/", appointments_views.appointment_status, name="status"),
    path("availability/<int:member_pk>/", availability_views.availability_edit, name="availability"),
    path("availability/<int:member_pk>/block/", availability_views.block_add, name="block_add"),
    path(
        "availability/<int:member_pk>/block/<int:block_pk>/remove/",
        availability_views.block_remove,
        name="block_remove",
    ),
    path("reminder-settings/", reminder_views.reminder_settings, name="reminder_settings"),
    path("reminder/<str:token>/", reminder_views.reply, name="reminder_reply"),
    path("reminder/<str:token>/<slug:action>/", reminder_views.reply, name="reminder_reply_action"),
    path("settings/<slug:kind>/", appointments_views.settings_list, name="settings"),
    path("settings/<slug:kind>/new/", appointments_views.settings_edit, name="settings_add"),
    path("settings/<slug:kind>/<int:pk>/", appointments_views.settings_edit, name="settings_edit"),
]

# The waitlist and calendar subscriptions (issue 6, items 8 and 10).
urlpatterns += [
    path("waitlist/", waitlist_views.waitlist_list, name="waitlist"),
    path("waitlist/new/", waitlist_views.entry_add, name="waitlist_add"),
    path("waitlist/matches/", waitlist_views.slot_matches, name="waitlist_matches"),
    path("waitlist/<int:pk>/", waitlist_views.entry_detail, name="waitlist_entry"),
    path("waitlist/<int:pk>/edit/", waitlist_views.entry_edit, name="waitlist_edit"),
    path("waitlist/<int:pk>/remove/", waitlist_views.entry_remove, name="waitlist_remove"),
    path("waitlist/<int:pk>/offer/", waitlist_views.entry_offer, name="waitlist_offer"),
    path("waitlist/<int:pk>/book/", waitlist_views.offer_accept, name="waitlist_book"),
    path("waitlist/<int:pk>/decline/", waitlist_views.offer_decline, name="waitlist_decline"),
    path("subscriptions/", feed_views.feed_settings, name="feeds"),
    path("subscriptions/<int:pk>/remove/", feed_views.feed_revoke, name="feed_revoke"),
    path("subscriptions/<int:pk>/new-link/", feed_views.feed_regenerate, name="feed_regenerate"),
    re_path(r"^feed/(?P<token>[A-Za-z0-9_-]{20,100})\.ics$", feed_views.feed, name="feed"),
]
