from django.urls import path

from clients.alerts import views as alerts_views
from clients.amendments import views as amendment_views
from clients.care_team import views as care_team_views
from clients.consents import views as views_consents
from clients.contacts import views as contacts_views
from clients.diagnoses import views as diagnoses_views
from clients.documents import views as document_views
from clients.insurance import views as insurance_views
from clients.programs import views as programs_views
from clients.records import views as records_views

app_name = "clients"
urlpatterns = [
    path("", records_views.client_list, name="list"),
    path("new/", records_views.client_register, name="register"),
    path("payers/", insurance_views.payer_list, name="payers"),
    path("payers/new/", insurance_views.payer_add, name="payer_add"),
    path("payers/<int:payer_pk>/edit/", insurance_views.payer_edit, name="payer_edit"),
    path("diagnosis-codes/", diagnoses_views.icd_search, name="icd_search"),
    path("programs/", programs_views.program_list, name="programs"),
    path("programs/new/", programs_views.program_add, name="program_add"),
    path("programs/<int:pk>/edit/", programs_views.program_edit, name="program_edit"),
    path("programs/<int:pk>/active/", programs_views.program_set_active, name="program_set_active"),
    path("<int:pk>/", records_views.client_chart, name="chart"),
    path("<int:pk>/edit/", records_views.client_edit, name="edit"),
    path("<int:pk>/emergency-access/", records_views.client_break_glass, name="break_glass"),
    path("<int:pk>/insurance/new/", insurance_views.policy_add, name="policy_add"),
    path("<int:pk>/insurance/self-pay/", insurance_views.self_pay, name="self_pay"),
    path("<int:pk>/insurance/<int:policy_pk>/edit/", insurance_views.policy_edit, name="policy_edit"),
    path("<int:pk>/insurance/<int:policy_pk>/end/", insurance_views.policy_end, name="policy_end"),
    path("<int:pk>/diagnoses/new/", diagnoses_views.diagnosis_add, name="diagnosis_add"),
    path("<int:pk>/diagnoses/<int:diagnosis_pk>/edit/", diagnoses_views.diagnosis_edit, name="diagnosis_edit"),
    path("<int:pk>/consents/new/", views_consents.consent_add, name="consent_add"),
    path("<int:pk>/consents/<int:consent_pk>/revoke/", views_consents.consent_revoke, name="consent_revoke"),
    path("<int:pk>/consents/part2/", views_consents.part2_flag, name="part2"),
    path("<int:pk>/releases/new/", views_consents.authorization_add, name="authorization_add"),
    path("<int:pk>/releases/<int:authorization_pk>/", views_consents.authorization_detail, name="authorization"),
    path(
        "<int:pk>/releases/<int:authorization_pk>/revoke/",
        views_consents.authorization_revoke,
        name="authorization_revoke",
    ),
    path(
        "<int:pk>/releases/<int:authorization_pk>/expiry-event/",
        views_consents.authorization_expiry_event,
        name="authorization_expiry_event",
    ),
    path("<int:pk>/disclosures/new/", views_consents.disclosure_add, name="disclosure_add"),
    path(
        "<int:pk>/disclosures/<int:disclosure_pk>/entered-in-error/",
        views_consents.disclosure_in_error,
        name="disclosure_in_error",
    ),
    path("<int:pk>/disclosures/accounting/", views_consents.accounting, name="accounting"),
    path("<int:pk>/disclosures/accounting/csv/", views_consents.accounting_csv, name="accounting_csv"),
    path("<int:pk>/documents/new/", document_views.document_upload, name="document_upload"),
    path("<int:pk>/documents/<int:document_pk>/open/", document_views.document_open, name="document_open"),
    path("<int:pk>/documents/<int:document_pk>/download/", document_views.document_download, name="document_download"),
    path(
        "<int:pk>/documents/<int:document_pk>/entered-in-error/",
        document_views.document_entered_in_error,
        name="document_error",
    ),
    path("<int:pk>/amendments/new/", amendment_views.amendment_add, name="amendment_add"),
    path("<int:pk>/amendments/<int:amendment_pk>/", amendment_views.amendment_detail, name="amendment"),
    path("<int:pk>/amendments/<int:amendment_pk>/extend/", amendment_views.amendment_extend, name="amendment_extend"),
    path("<int:pk>/amendments/<int:amendment_pk>/accept/", amendment_views.amendment_accept, name="amendment_accept"),
    path("<int:pk>/amendments/<int:amendment_pk>/deny/", amendment_views.amendment_deny, name="amendment_deny"),
    path(
        "<int:pk>/amendments/<int:amendment_pk>/response/",
        amendment_views.amendment_response,
        name="amendment_response",
    ),
    path(
        "<int:pk>/amendments/<int:amendment_pk>/notifications/",
        amendment_views.amendment_notification_add,
        name="amendment_notification_add",
    ),
    path(
        "<int:pk>/amendments/<int:amendment_pk>/notifications/<int:notification_pk>/",
        amendment_views.amendment_notification_outcome,
        name="amendment_notification_outcome",
    ),
    path(
        "<int:pk>/amendments/<int:amendment_pk>/disagreement/",
        amendment_views.amendment_disagreement,
        name="amendment_disagreement",
    ),
    path("<int:pk>/status/", records_views.client_status, name="status"),
    path("<int:pk>/status/<slug:action>/", records_views.client_status_change, name="status_change"),
    path("<int:pk>/care-team/", care_team_views.care_team_page, name="care_team"),
    path("<int:pk>/care-team/add/", care_team_views.care_team_add, name="care_team_add"),
    path("<int:pk>/care-team/primary/", care_team_views.care_team_primary, name="care_team_primary"),
    path("<int:pk>/care-team/<int:member_pk>/remove/", care_team_views.care_team_remove, name="care_team_remove"),
    path("<int:pk>/contacts/new/", contacts_views.contact_add, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", contacts_views.contact_edit, name="contact_edit"),
    path("<int:pk>/contacts/<int:contact_pk>/remove/", contacts_views.contact_remove, name="contact_remove"),
    path("<int:pk>/contacts/<int:contact_pk>/move/", contacts_views.contact_move, name="contact_move"),
    path("<int:pk>/family/new/", contacts_views.family_add, name="family_add"),
    path("<int:pk>/family/<int:link_pk>/end/", contacts_views.family_end, name="family_end"),
    path("<int:pk>/alerts/new/", alerts_views.alert_add, name="alert_add"),
    path("<int:pk>/alerts/<int:alert_pk>/resolve/", alerts_views.alert_resolve, name="alert_resolve"),
    path("<int:pk>/<slug:tab>/", records_views.client_chart, name="tab"),
]
