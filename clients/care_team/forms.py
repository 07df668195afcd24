from django import forms

from clients.care_team import services as care_team
from core.forms import ActionForm, VersionForm

CARE_TEAM_CHOICE_ERROR = (
    "Choose an active clinician or supervisor of this clinic; deactivated staff and staff of other clinics "
    "can't work with clients here."
)


def offer_clinical_staff(field: forms.ModelChoiceField) -> None:
    """Offer the clinic's active clinicians and supervisors by name; anyone else gets a message saying why."""
    field.queryset = care_team.eligible_staff()
    field.label_from_instance = lambda m: m.user.full_name
    field.error_messages["invalid_choice"] = CARE_TEAM_CHOICE_ERROR


class CareTeamAddForm(ActionForm):
    refusal_field = "membership"
    membership = forms.ModelChoiceField(
        queryset=None, label="Add to the care team", empty_label="Choose a clinician or supervisor"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_clinical_staff(self.fields["membership"])


class PrimaryClinicianForm(VersionForm):
    refusal_field = "membership"
    membership = forms.ModelChoiceField(
        queryset=None, label="Primary clinician", required=False, empty_label="No primary clinician"
    )
    keep_previous_on_team = forms.BooleanField(
        required=False, label="Keep the previous primary clinician on the care team"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_clinical_staff(self.fields["membership"])
