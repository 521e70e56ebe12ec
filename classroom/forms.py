"""Forms for classes: parse and check input; the rules live in ``services``."""

from django import forms
from django.db.models import Q
from django.utils import timezone

from lessons.models import Lesson
from quiz.models import Quiz

from .models import JOIN_CODE_LENGTH, Assignment, AssignmentKind, Classroom


class ClassroomForm(forms.ModelForm):
    class Meta:
        model = Classroom
        fields = ["name"]
        labels = {"name": "Class name"}
        help_texts = {"name": "Students see this name, e.g. \u201cYear 10 media studies, Tuesday\u201d."}


class JoinForm(forms.Form):
    code = forms.CharField(
        label="Class code", max_length=JOIN_CODE_LENGTH + 6,
        help_text=f"The {JOIN_CODE_LENGTH} letters and digits your teacher gave you.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class CoTeacherForm(forms.Form):
    email = forms.EmailField(label="Co-teacher's e-mail address",
                             help_text="They need a teacher account on Second Look.")


class ClassDeleteForm(forms.Form):
    confirm_name = forms.CharField(
        label="Type the class name to confirm", max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, classroom: Classroom, **kwargs):
        super().__init__(*args, **kwargs)
        self.classroom = classroom
        self.fields["confirm_name"].help_text = f"Type {classroom.name} exactly as shown."

    def clean_confirm_name(self):
        typed = self.cleaned_data["confirm_name"].strip()
        if typed != self.classroom.name.strip():
            raise forms.ValidationError("That is not the name of this class, so nothing was deleted.")
        return typed


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def assignable_quizzes(user):
    """Quizzes students can open: published or public ones (not the built-in practice sets)."""
    return Quiz.objects.filter(Q(is_published=True) | Q(is_public=True), system_key__isnull=True).order_by("title")


class AssignmentForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=AssignmentKind.choices, initial=AssignmentKind.REGULAR,
                             help_text="Pair a pre-test and a post-test to see the class's learning gain.")
    lesson = forms.ModelChoiceField(label="Lesson", queryset=Lesson.objects.none(), required=False,
                                    empty_label="(no lesson)")
    quiz = forms.ModelChoiceField(label="Quiz", queryset=Quiz.objects.none(), required=False,
                                  empty_label="(no quiz)",
                                  help_text="Choose a lesson or a quiz. Only published quizzes are listed: "
                                            "students must be able to open them.")
    pre = forms.ModelChoiceField(label="Compared with pre-test", queryset=Assignment.objects.none(),
                                 required=False, empty_label="(none)",
                                 help_text="For a post-test only.")
    opens_at = forms.DateTimeField(label="Opens", widget=DateTimeInput())
    due_at = forms.DateTimeField(label="Due (optional)", required=False, widget=DateTimeInput())

    def __init__(self, *args, classroom, user, assignment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        lessons, quizzes = Lesson.objects.published(), assignable_quizzes(user)
        if assignment is not None:
            # A quiz or lesson unpublished since it was assigned stays this assignment's own choice, so its
            # dates can still be changed; it is not offered for new work.
            lessons |= Lesson.objects.filter(pk=assignment.lesson_id)
            quizzes |= Quiz.objects.filter(pk=assignment.quiz_id)
        self.fields["lesson"].queryset = lessons.for_listing().order_by("course_id", "order")
        self.fields["quiz"].queryset = quizzes.order_by("title")
        self.fields["pre"].queryset = Assignment.objects.filter(
            classroom=classroom, kind=AssignmentKind.PRE).select_related("quiz")
        self.fields["pre"].label_from_instance = lambda a: f"{a.title} (opens {a.opens_at:%d %b %Y})"

    def clean(self):
        data = super().clean()
        if bool(data.get("lesson")) == bool(data.get("quiz")):
            raise forms.ValidationError("Choose a lesson or a quiz (one of the two).")
        due = data.get("due_at")
        # The form shows minutes: the saved date, sent back as it was shown, is the same date.
        was = self.assignment.due_at if self.assignment is not None else None
        unchanged = due is not None and was is not None and abs((due - was).total_seconds()) < 60
        if due is not None and due < timezone.now() and not unchanged:
            # Set now with a date gone by, the work would be late for every student the moment it appears.
            self.add_error("due_at", "That date has passed: every student would be late at once. Choose a later "
                                     "one, or leave it empty for no due date.")
        return data
