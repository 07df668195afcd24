"""The URLconf of the support host (``support.<HEARTH_BASE_DOMAIN>``): the vendor's support console and nothing
else. ``tenancy.middleware.TenantMiddleware`` sets it as ``request.urlconf``."""

from django.urls import include, path

from tickets import console_mfa_views, console_views

console_patterns = [
    path("", console_views.ticket_list, name="list"),
    path("login/", console_views.sign_in, name="login"),
    path("logout/", console_views.sign_out, name="logout"),
    path("two-step/", console_mfa_views.mfa_verify, name="mfa_verify"),
    path("two-step/setup/", console_mfa_views.mfa_setup, name="mfa_setup"),
    path("tickets/<int:pk>/", console_views.ticket_detail, name="detail"),
    path("tickets/<int:pk>/reply/", console_views.ticket_reply, name="reply"),
    path("tickets/<int:pk>/status/", console_views.ticket_status, name="status"),
    path("tickets/<int:pk>/attachments/<int:attachment_pk>/", console_views.attachment_download, name="attachment"),
]

# The root URLconf of its host, with the "console" namespace for reversing.
urlpatterns = [path("", include((console_patterns, "console")))]
