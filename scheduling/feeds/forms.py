from django import forms

from scheduling.appointments.models import Room
from scheduling.appointments.selectors import clinician_queryset
from scheduling.feeds.models import ClientLabel, FeedKind


class FeedForm(forms.Form):
    kind = forms.ChoiceField(label="Calendar", choices=FeedKind.choices, widget=forms.RadioSelect)
    clinician = forms.ModelChoiceField(None, required=False, empty_label="Choose a clinician")
    room = forms.ModelChoiceField(Room.objects.none(), required=False, empty_label="Choose a room")
    client_label = forms.ChoiceField(
        label="Show clients as", choices=ClientLabel.choices, initial=ClientLabel.NUMBER, widget=forms.RadioSelect
    )

    def __init__(self, *args, own: bool, others: bool, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [(k, label) for k, label in FeedKind.choices if (own if k == FeedKind.OWN else others)]
        self.fields["kind"].choices = kinds
        self.fields["kind"].initial = kinds[0][0] if kinds else None
        if others:
            self.fields["clinician"].queryset = clinician_queryset().order_by("user__full_name")
            self.fields["clinician"].label_from_instance = lambda m: m.user.full_name
            self.fields["room"].queryset = Room.objects.filter(is_active=True).select_related("location")
            self.fields["room"].label_from_instance = lambda r: f"{r.name} ({r.location.name})"
        else:
            del self.fields["clinician"], self.fields["room"]
