from django.urls import path

from clients import views, views_consents
from clients import views_amendments as amendment_views
from clients import views_documents as document_views

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_register, name="register"),
    path("payers/", views.payer_list, name="payers"),
    path("payers/new/", views.payer_add, name="payer_add"),
    path("payers/<int:payer_pk>/edit/", views.payer_edit, name="payer_edit"),
    path("diagnosis-codes/", views.icd_search, name="icd_search"),
    path("<int:pk>/", views.client_chart, name="chart"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/emergency-access/", views.client_break_glass, name="break_glass"),
    path("<int:pk>/insurance/new/", views.policy_add, name="policy_add"),
    path("<int:pk>/insurance/self-pay/", views.self_pay, name="self_pay"),
    path("<int:pk>/insurance/<int:policy_pk>/edit/", views.policy_edit, name="policy_edit"),
    path("<int:pk>/insurance/<int:policy_pk>/end/", views.policy_end, name="policy_end"),
    path("<int:pk>/diagnoses/new/", views.diagnosis_add, name="diagnosis_add"),
    path("<int:pk>/diagnoses/<int:diagnosis_pk>/edit/", views.diagnosis_edit, name="diagnosis_edit"),
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
        "<int:pk>/amendments/<int:amendment_pk>/disagreement/",
        amendment_views.amendment_disagreement,
        name="amendment_disagreement",
    ),
    path("<int:pk>/<slug:tab>/", views.client_chart, name="tab"),
]
