from django.urls import path

from notes.addenda import views as addenda
from notes.cosign import views as cosign
from notes.drafts import views as drafts
from notes.group import views as group
from notes.printing import views as printing
from notes.records import views as records
from notes.setup import views as setup
from notes.signing import views as signing

app_name = "notes"

urlpatterns = [
    path("client/<int:client_pk>/new/", drafts.new_note, name="new"),
    path("client/<int:client_pk>/print/", printing.print_range, name="print"),
    path("appointment/<int:appointment_pk>/client/<int:client_pk>/", drafts.from_appointment, name="from_appointment"),
    path("appointment/<int:appointment_pk>/group/", group.start, name="group_start"),
    path("group/<int:pk>/", group.group_page, name="group"),
    path("<int:pk>/", drafts.note_detail, name="detail"),
    path("<int:pk>/save/", drafts.save_note, name="save"),
    path("<int:pk>/autosave/", drafts.autosave, name="autosave"),
    path("<int:pk>/sign/", signing.sign, name="sign"),
    path("<int:pk>/unlock/", signing.unlock, name="unlock"),
    path("<int:pk>/addendum/", addenda.add_addendum, name="addendum"),
    path("<int:pk>/review/", cosign.review, name="review"),
    path("<int:pk>/pdf/", printing.print_one, name="pdf"),
    path("cosign/", cosign.queue, name="queue"),
    path("late/", records.late_notes, name="late"),
    path("settings/", setup.note_settings, name="settings"),
    path("settings/templates/", setup.template_list, name="templates"),
    path("settings/templates/<int:pk>/copy/", setup.template_copy, name="template_copy"),
    path("settings/templates/<int:pk>/", setup.template_edit, name="template_edit"),
    path("settings/supervision/", cosign.supervision, name="supervision"),
    path("settings/supervision/<int:membership_pk>/", cosign.supervision_edit, name="supervision_edit"),
]
