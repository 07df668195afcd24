from django.urls import reverse

from clients.diagnoses import icd
from clients.diagnoses.models import Diagnosis
from clients.diagnoses.services import DIAGNOSIS_FIELDS
from core.forms import DateInput, VersionedForm


class DiagnosisForm(VersionedForm):
    class Meta:
        model = Diagnosis
        fields = DIAGNOSIS_FIELDS
        widgets = {"onset_date": DateInput, "resolved_date": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        code.help_text = "Type a code (F41.1) or words (generalized anxiety) and pick a billable code from the list."
        code.widget.attrs.update(
            {
                "list": "icd-codes",
                "autocomplete": "off",
                "spellcheck": "false",
                "data-hx-get": reverse("clients:icd_search"),
                "data-hx-trigger": "input changed delay:250ms",
                "data-hx-target": "#icd-codes",
                "data-hx-swap": "innerHTML",
            }
        )

    def clean_code(self):
        return icd.billable_code(self.cleaned_data["code"]).code
