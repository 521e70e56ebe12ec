"""The knowledge-check answer form, bound to one lesson's current checks."""

from django import forms

from .models import Lesson


class CheckAnswerForm(forms.Form):
    check = forms.CharField(
        max_length=40, error_messages={"required": "Say which question you are answering."}
    )
    option = forms.IntegerField(
        min_value=0,
        error_messages={
            "required": "Choose one of the answers, then press Check answer.",
            "invalid": "Choose one of the answers, then press Check answer.",
            "min_value": "That answer is not one of the options.",
        },
    )

    def __init__(self, *args, lesson: Lesson, **kwargs):
        super().__init__(*args, **kwargs)
        self.lesson = lesson

    def clean_check(self):
        check = self.lesson.check_by_id(self.cleaned_data["check"])
        if check is None:
            raise forms.ValidationError("This question is not part of the lesson any more. Reload the page.")
        return check

    def clean(self):
        cleaned = super().clean()
        check, option = cleaned.get("check"), cleaned.get("option")
        if check is not None and option is not None and option >= len(check["options"]):
            self.add_error("option", "That answer is not one of the options.")
        return cleaned
