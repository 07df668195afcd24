from django.urls import path

from clients import views

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
    path("<int:pk>/<slug:tab>/", views.client_chart, name="tab"),
]
