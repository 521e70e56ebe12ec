"""Account forms: sign-up and a password reset whose e-mail goes through Celery."""

from django import forms
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.template.loader import render_to_string

from .models import User


class SignUpForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name")
        labels = {"display_name": "Your name (optional)"}

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this e-mail address already exists. Log in, or reset your password."
            )
        return email


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset that hands the e-mail to a Celery worker after commit."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        from .tasks import email_send

        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        html = render_to_string(html_email_template_name, context) if html_email_template_name else None
        email_send.delay_on_commit(subject, body, [to_email], html)


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label="Your current password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="So that nobody who finds your computer signed in can delete your account.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password. Nothing was deleted.")
        return password
