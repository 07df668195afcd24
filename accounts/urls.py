from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import account_views, mfa_views, sso_views, views, webauthn_views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitation/<uidb64>/<token>/", views.AcceptInvitationView.as_view(), name="accept_invitation"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path("password/reset/set/", views.password_reset_set, name="password_reset_set"),
    path("password/reset/<str:token>/", views.password_reset_link, name="password_reset_link"),
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
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/invite/", views.staff_invite, name="staff_invite"),
    path("staff/<int:pk>/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/deactivate/", views.staff_deactivate, name="staff_deactivate"),
    path("staff/<int:pk>/reactivate/", views.staff_reactivate, name="staff_reactivate"),
    path("staff/<int:pk>/unlock/", views.staff_unlock, name="staff_unlock"),
    path("staff/<int:pk>/temporary-password/", views.staff_temporary_password, name="staff_temporary_password"),
    path("settings/clinic/", views.clinic_settings, name="clinic_settings"),
    path("settings/sso/", sso_views.sso_settings, name="sso_settings"),
    path("sso/start/", sso_views.sso_start, name="sso_start"),
    path("sso/callback/", sso_views.sso_callback, name="sso_callback"),
]
