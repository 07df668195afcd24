from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.clinic import views as clinic_views
from accounts.locations import views as location_views
from accounts.mfa import views as mfa_views
from accounts.mfa import webauthn_views
from accounts.passwords import views as passwords_views
from accounts.sessions import views as account_views
from accounts.signin import views as signin_views
from accounts.sso import views as sso_views
from accounts.staff import views as staff_views

app_name = "accounts"
urlpatterns = [
    path("login/", signin_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitation/<uidb64>/<token>/", signin_views.AcceptInvitationView.as_view(), name="accept_invitation"),
    path("password/change/", passwords_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", passwords_views.password_reset, name="password_reset"),
    path("password/reset/sent/", passwords_views.password_reset_sent, name="password_reset_sent"),
    path("password/reset/set/", passwords_views.password_reset_set, name="password_reset_set"),
    path("password/reset/<str:token>/", passwords_views.password_reset_link, name="password_reset_link"),
    path("mfa/", mfa_views.mfa_manage, name="mfa_manage"),
    path("mfa/verify/", mfa_views.mfa_verify, name="mfa_verify"),
    path("mfa/setup/", mfa_views.mfa_setup, name="mfa_setup"),
    path("mfa/recovery-codes/", mfa_views.mfa_new_recovery_codes, name="mfa_new_recovery_codes"),
    path("mfa/turn-off/", mfa_views.mfa_turn_off, name="mfa_turn_off"),
    path("mfa/keys/register/options/", webauthn_views.register_options, name="security_key_register_options"),
    path("mfa/keys/register/", webauthn_views.register, name="security_key_register"),
    path("mfa/keys/recovery-codes/", webauthn_views.recovery_codes, name="security_key_recovery_codes"),
    path("mfa/keys/sign-in/options/", webauthn_views.sign_in_options, name="security_key_sign_in_options"),
    path("mfa/keys/sign-in/", webauthn_views.sign_in, name="security_key_sign_in"),
    path("mfa/keys/<int:pk>/remove/", webauthn_views.remove, name="security_key_remove"),
    path("staff/<int:pk>/reset-mfa/", mfa_views.staff_reset_mfa, name="staff_reset_mfa"),
    path("session/keepalive/", account_views.keepalive, name="keepalive"),
    path("account/sessions/", account_views.my_sessions, name="my_sessions"),
    path("account/sessions/end-others/", account_views.end_other_sessions, name="end_other_sessions"),
    path("account/sign-ins/", account_views.my_sign_ins, name="my_sign_ins"),
    path("staff/sign-ins/", account_views.clinic_sign_ins, name="clinic_sign_ins"),
    path("staff/", staff_views.staff_list, name="staff_list"),
    path("staff/invite/", staff_views.staff_invite, name="staff_invite"),
    path("staff/<int:pk>/", staff_views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/deactivate/", staff_views.staff_deactivate, name="staff_deactivate"),
    path("staff/<int:pk>/reactivate/", staff_views.staff_reactivate, name="staff_reactivate"),
    path("staff/<int:pk>/unlock/", staff_views.staff_unlock, name="staff_unlock"),
    path("staff/<int:pk>/temporary-password/", staff_views.staff_temporary_password, name="staff_temporary_password"),
    path("settings/clinic/", clinic_views.clinic_settings, name="clinic_settings"),
    path("settings/sso/", sso_views.sso_settings, name="sso_settings"),
    path("settings/locations/", location_views.location_list, name="locations"),
    path("settings/locations/new/", location_views.location_add, name="location_add"),
    path("settings/locations/<int:pk>/edit/", location_views.location_edit, name="location_edit"),
    path("settings/locations/<int:pk>/active/", location_views.location_set_active, name="location_set_active"),
    path("sso/start/", sso_views.sso_start, name="sso_start"),
    path("sso/callback/", sso_views.sso_callback, name="sso_callback"),
]
