from django import forms

from measures.instruments.scoring import Definition


class QuestionnaireForm(forms.Form):
    """One radio group per item. Every item may be left blank: a questionnaire with too many blanks is saved as
    incomplete (never scored with blanks as zero), so a client is never forced to answer."""

    def __init__(self, spec: Definition, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        choices = [(str(value), label) for value, label in spec.scale]
        for item in spec.items:
            self.fields[f"item_{item.number}"] = forms.TypedChoiceField(
                label=f"{item.number}. {item.text}",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"Item {item.number}: choose one of the answers offered."},
            )

    def answers(self) -> list[int | None]:
        return [self.cleaned_data.get(f"item_{item.number}") for item in self.spec.items]


class ResponseForm(forms.Form):
    response = forms.CharField(
        label="What you did",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text="For example: risk assessment done, safety plan reviewed, client contacted by phone.",
    )

    def arguments(self) -> dict:
        return {"response": self.cleaned_data["response"]}
