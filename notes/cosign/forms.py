from django import forms

from accounts.people.models import Membership
from clients.insurance.models import Payer
from notes.cosign.models import Mode


class SupervisionForm(forms.Form):
    supervisor = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        help_text="Empty: this clinician's notes need no co-signature.",
    )
    mode = forms.ChoiceField(choices=Mode.choices, widget=forms.RadioSelect, initial=Mode.ALL)
    payers = forms.ModelMultipleChoiceField(
        queryset=Payer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only for “notes for chosen payers”.",
    )

    def __init__(self, *args, supervisee: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = (
            Membership.objects.filter(is_active=True, role_assignments__role="supervisor")
            .exclude(pk=supervisee.pk)
            .select_related("user")
            .distinct()
        )
        self.fields["supervisor"].label_from_instance = lambda m: m.user.full_name
        self.fields["payers"].queryset = Payer.objects.all()
