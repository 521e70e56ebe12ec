from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django_ratelimit.decorators import ratelimit

from . import views
from .forms import QueuedPasswordResetForm

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("delete/", views.account_delete, name="account_delete"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password_change_done")),
        name="password_change",
    ),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        # Each request sends an e-mail: limited per address asked for and per sender, or anyone could
        # fill a person's inbox (or make us a spam source).
        ratelimit(key="post:email", rate="5/h", method="POST", block=True)(
            ratelimit(key="ip", rate="20/h", method="POST", block=True)(
                auth_views.PasswordResetView.as_view(
                    success_url=reverse_lazy("accounts:password_reset_done"),
                    email_template_name="registration/password_reset_email.txt",
                    form_class=QueuedPasswordResetForm,
                ))),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirm.as_view(success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
