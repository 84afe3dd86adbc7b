"""Forms of the Releases pages: the list's filters, each step of a release, and the words withheld from it."""

from django import forms

from cabinet.models import Agency, OIAGround
from decisions.forms import DateInput


class ReleaseFilterForm(forms.Form):
    SHOWS = [
        ("", "Everything still owed"),
        ("soon", "Due in the next 10 business days"),
        ("overdue", "Overdue"),
        ("held", "Withheld or delayed"),
        ("published", "Published"),
        ("all", "All releases"),
    ]
    show = forms.ChoiceField(label="Show", choices=SHOWS, required=False)
    agency = forms.ModelChoiceField(label="Agency", queryset=Agency.objects.none(), required=False, empty_label="Any agency")
    q = forms.CharField(label="Reference or title", required=False, max_length=200)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.all()


class ReleaseStepForm(forms.Form):
    """A step with nothing to say but that it is taken: carries the version it was opened on."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def step_data(self):
        return {}


class PublishForm(ReleaseStepForm):
    published_date = forms.DateField(
        label="Date published", widget=DateInput(), error_messages={"required": "Enter the date it was published"}
    )
    published_url = forms.URLField(
        label="Address where it was published", max_length=500, assume_scheme="https",
        help_text="The full address of the page on the agency's website where the public finds the pack.",
        error_messages={"required": "Enter the address where it was published", "invalid": "Enter a full web address, starting https://"},
    )

    def step_data(self):
        return {"published_date": self.cleaned_data["published_date"], "published_url": self.cleaned_data["published_url"]}


class DelayForm(ReleaseStepForm):
    new_date = forms.DateField(
        label="New date to be published", widget=DateInput(), error_messages={"required": "Enter the new date"}
    )
    reason = forms.CharField(
        label="Reason for the delay", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
        error_messages={"required": "Enter the reason for the delay"},
    )

    def step_data(self):
        return {"new_date": self.cleaned_data["new_date"], "reason": self.cleaned_data["reason"]}


class WithholdForm(ReleaseStepForm):
    ground = forms.ModelChoiceField(
        label="Official Information Act ground", queryset=OIAGround.objects.all(), empty_label="Choose a ground",
        error_messages={"required": "Choose the ground for withholding it"},
    )
    reason = forms.CharField(
        label="Reason for not releasing it", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
        error_messages={"required": "Enter the reason for not releasing it"},
    )

    def step_data(self):
        return {"ground": self.cleaned_data["ground"], "reason": self.cleaned_data["reason"]}


class ReconsiderForm(ReleaseStepForm):
    reason = forms.CharField(label="Why it is now to be released", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                             error_messages={"required": "Enter why it is now to be released"})

    def step_data(self):
        return {"reason": self.cleaned_data["reason"]}


class OriginalTextForm(ReleaseStepForm):
    text = forms.CharField(
        label="The paragraph's words in the original minute", widget=forms.Textarea(attrs={"rows": 5}), max_length=20000,
        error_messages={"required": "Enter the paragraph's words"},
    )


class WithholdWordsForm(ReleaseStepForm):
    words = forms.CharField(
        label="Words to withhold", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000,
        help_text="Copy them exactly from the paragraph, enough that they appear once.",
    )
    whole = forms.BooleanField(label="Withhold the whole paragraph", required=False)
    ground = forms.ModelChoiceField(
        label="Official Information Act ground", queryset=OIAGround.objects.all(), empty_label="Choose a ground",
        error_messages={"required": "Choose the ground for withholding them"},
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("whole") and not cleaned.get("words", "").strip():
            self.add_error("words", "Enter the words to withhold, or choose to withhold the whole paragraph")
        return cleaned


STEP_FORMS = {
    "start_preparing": ReleaseStepForm,
    "send_to_minister": ReleaseStepForm,
    "publish": PublishForm,
    "delay": DelayForm,
    "withhold": WithholdForm,
    "reconsider": ReconsiderForm,
}
