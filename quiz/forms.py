"""Forms: the answer to one item, the quiz settings, the clip-picker filters."""

from typing import Optional

from django import forms

from clips.models import Difficulty, MediaType, Technique, Truth

from .models import GridCell, Mode, Quiz, Selection

CONFIDENCE_CHOICES = [
    (50, "50 % — a guess"),
    (60, "60 % — leaning"),
    (70, "70 % — fairly sure"),
    (80, "80 % — sure"),
    (90, "90 % — very sure"),
    (100, "100 % — certain"),
]


class SharedFields(dict):
    """A form's fields that no request ever changes: every form instance shares them.

    ``BaseForm.__init__`` deep-copies its class's fields so that an instance may change
    its own; the answer form never does (what differs per quiz is a class of its own,
    below), and the copy cost 0.15 ms of the 1.2 ms an answer adds to a trivial request
    (in one process; ``bench/quiz_load.py`` holds that ratio)."""

    def __deepcopy__(self, memo):
        return dict(self)


def _confidence(required: bool):
    return forms.TypedChoiceField(
        choices=CONFIDENCE_CHOICES, coerce=int, required=required, widget=forms.RadioSelect,
        error_messages={"required": "Choose how sure you are."},
    )


class _PointField(forms.FloatField):
    """Where the learner clicked, 0..1, in a hidden field: a value that is not one (a broken script's
    "nan") is no point at all, rather than an error the learner could neither see nor correct."""

    widget = forms.HiddenInput

    def __init__(self):
        super().__init__(min_value=0, max_value=1, required=False)

    def clean(self, value):
        try:
            return super().clean(value)
        except forms.ValidationError:
            return None


class AnswerForm(forms.Form):
    """The answer to one item. Build it with ``AnswerForm.of(attempt's ask_confidence, ...)``:
    a quiz that asks how sure the learner is needs the confidence, one that does not ignores it."""

    token = forms.CharField(max_length=32, widget=forms.HiddenInput)
    answer = forms.ChoiceField(
        choices=[("real", "Real"), ("fake", "Fake")], widget=forms.RadioSelect,
        error_messages={"required": "Choose real or fake."},
    )
    confidence = _confidence(required=True)
    point_x = _PointField()
    point_y = _PointField()
    cell = forms.ChoiceField(choices=[("", "nowhere in particular"), *GridCell.choices], required=False)

    ask_confidence = True

    @staticmethod
    def of(ask_confidence: bool, *args, **kwargs) -> "AnswerForm":
        return (AnswerForm if ask_confidence else _AnswerFormNoConfidence)(*args, **kwargs)

    @property
    def point(self) -> Optional[tuple[float, float]]:
        """The point clicked, once both coordinates were read (so a form sent back with an error
        draws its marker where the kept point is)."""
        data = getattr(self, "cleaned_data", None) or {}
        x, y = data.get("point_x"), data.get("point_y")
        return (x, y) if x is not None and y is not None else None

    def answer_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "token": data["token"],
            "answered_fake": data["answer"] == "fake",
            "confidence": data.get("confidence") if self.ask_confidence else None,
            "point": self.point,
            "cell": data.get("cell") or "",
        }


class _AnswerFormNoConfidence(AnswerForm):
    confidence = _confidence(required=False)
    ask_confidence = False


AnswerForm.base_fields = SharedFields(AnswerForm.base_fields)
_AnswerFormNoConfidence.base_fields = SharedFields(_AnswerFormNoConfidence.base_fields)


class QuizForm(forms.ModelForm):
    media_types = forms.MultipleChoiceField(
        choices=MediaType.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Random draw only. None ticked: all media types.",
    )
    techniques = forms.MultipleChoiceField(
        choices=[c for c in Technique.choices if c[0] != Technique.AUTHENTIC], required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Random draw only: which kinds of fake to draw (real clips are drawn regardless).",
    )
    difficulties = forms.TypedMultipleChoiceField(
        choices=Difficulty.choices, coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Random draw only. None ticked: all difficulties.",
    )
    time_limit_minutes = forms.IntegerField(
        min_value=1, max_value=600, required=False, label="Time limit in minutes",
        help_text="Empty: no time limit. Enforced on the server.",
    )
    max_attempts = forms.IntegerField(
        min_value=1, max_value=1000, required=False, label="Attempts allowed", help_text="Empty: no limit.",
        error_messages={"min_value": "At least 1, or leave it empty for no limit.",
                        "max_value": "At most 1000, or leave it empty for no limit."},
    )

    class Meta:
        model = Quiz
        fields = [
            "title", "description", "mode", "reveal_after", "selection", "draw_count", "fake_share",
            "max_attempts", "ask_confidence", "is_public", "is_published",
        ]
        widgets = {
            "reveal_after": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "mode": forms.RadioSelect, "selection": forms.RadioSelect,
        }
        labels = {
            "draw_count": "Number of clips to draw", "fake_share": "Share of synthetic clips (%)",
            "ask_confidence": "Ask how sure the learner is",
            "is_public": "Public practice quiz (guests too)", "is_published": "Published to learners with the link",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        quiz = self.instance
        if quiz.pk:
            filters = quiz.filters or {}
            self.initial.setdefault("media_types", filters.get("media_types", []))
            self.initial.setdefault("techniques", filters.get("techniques", []))
            self.initial.setdefault("difficulties", filters.get("difficulties", []))
            if quiz.time_limit_seconds:
                self.initial.setdefault("time_limit_minutes", max(1, quiz.time_limit_seconds // 60))
        self.fields["fake_share"].widget.attrs.update(min=0, max=100)

    def clean(self):
        data = super().clean()
        if data.get("selection") == Selection.RANDOM and not data.get("draw_count"):
            self.add_error("draw_count", "Say how many clips to draw.")
        if data.get("fake_share") is not None and data["fake_share"] > 100:
            self.add_error("fake_share", "A share is at most 100 %.")
        if data.get("is_public") and data.get("mode") != Mode.PRACTICE:
            self.add_error("is_public", "Only practice quizzes can be public: guests never take assessments.")
        if (data.get("is_published") or data.get("is_public")) and not self.errors:
            # Published, a random quiz must be able to draw what it says (services decides).
            from . import services

            fields = self.quiz_fields()
            planned = Quiz(owner=self.instance.owner,
                           selection=fields["selection"], filters=fields["filters"], is_public=fields["is_public"],
                           draw_count=fields["draw_count"], fake_share=fields["fake_share"])
            problem = services.quiz_supply_problem(planned)
            if problem:
                self.add_error("is_published" if data.get("is_published") else "is_public", problem)
        return data

    def quiz_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in self._meta.fields}
        fields["filters"] = {
            key: data[key] for key in ("media_types", "techniques", "difficulties") if data.get(key)
        }
        minutes = data.get("time_limit_minutes")
        fields["time_limit_seconds"] = minutes * 60 if minutes else None
        return fields


def _blank(choices, label="Any"):
    return [("", label), *choices]


class ClipFilterForm(forms.Form):
    media_type = forms.ChoiceField(choices=_blank(MediaType.choices), required=False)
    truth = forms.ChoiceField(choices=_blank(Truth.choices), required=False)
    technique = forms.ChoiceField(choices=_blank(Technique.choices), required=False)
    difficulty = forms.TypedChoiceField(choices=_blank(Difficulty.choices), coerce=int, required=False,
                                        empty_value=None)

    def filter(self, clips):
        if not self.is_valid():
            return clips
        lookups = {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
        return clips.filter(**lookups)
