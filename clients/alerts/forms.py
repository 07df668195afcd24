from django import forms

from clients.alerts.models import AlertKind, AlertSeverity
from core.forms import ActionForm


class AlertForm(ActionForm):
    kind = forms.ChoiceField(label="Kind of alert")
    severity = forms.ChoiceField(choices=AlertSeverity.choices, initial=AlertSeverity.MODERATE)
    text = forms.CharField(
        label="What staff need to know",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Short and factual; it shows at the top of every tab of the chart.",
    )

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, AlertKind(k).label) for k in kinds]


class ResolveAlertForm(forms.Form):
    note = forms.CharField(label="Note (optional)", max_length=300, required=False)
