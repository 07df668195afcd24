from django.urls import path

from tickets import views

app_name = "tickets"
urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("new/", views.ticket_new, name="new"),
    path("staff-search/", views.staff_search, name="staff_search"),
    path("client-search/", views.client_search, name="client_search"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("<int:pk>/update/", views.ticket_update, name="update"),
    path("<int:pk>/comment/", views.ticket_comment, name="comment"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/staff/", views.ticket_add_staff, name="add_staff"),
    path("<int:pk>/staff/<int:member_pk>/remove/", views.ticket_remove_staff, name="remove_staff"),
    path("<slug:scope>/", views.ticket_list, name="list_scope"),
]
