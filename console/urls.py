"""The URLconf of the support host (``support.<HEARTH_BASE_DOMAIN>``): the vendor's support console and nothing
else. ``tenancy.middleware.TenantMiddleware`` sets it as ``request.urlconf``."""

from django.urls import include, path

from console.mfa import views as mfa
from console.signin import views as signin
from console.tickets import views as tickets

console_patterns = [
    path("", tickets.ticket_list, name="list"),
    path("login/", signin.sign_in, name="login"),
    path("logout/", signin.sign_out, name="logout"),
    path("two-step/", mfa.mfa_verify, name="mfa_verify"),
    path("two-step/setup/", mfa.mfa_setup, name="mfa_setup"),
    path("tickets/<int:pk>/", tickets.ticket_detail, name="detail"),
    path("tickets/<int:pk>/reply/", tickets.ticket_reply, name="reply"),
    path("tickets/<int:pk>/status/", tickets.ticket_status, name="status"),
    path("tickets/<int:pk>/attachments/<int:attachment_pk>/", tickets.attachment_download, name="attachment"),
]

# The root URLconf of its host, with the "console" namespace for reversing.
urlpatterns = [path("", include((console_patterns, "console")))]
