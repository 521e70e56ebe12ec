"""Sign-up, deleting one's own account, the signed-in home page and the landing page."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from . import services
from .forms import AccountDeleteForm, SignUpForm


def landing(request):
    return render(request, "landing.html")


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="accounts.backends.ModelBackend")
        messages.success(request, "Welcome to Second Look. Your account is ready.")
        # Only a path on this site, as LoginView checks it: never another host, never a crash.
        target = request.GET.get("next", "")
        safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure())
        return redirect(target if safe and target.startswith("/") else "home")
    return render(request, "accounts/signup.html", {"form": form}, status=422 if form.errors else 200)


@login_required
def home(request):
    return render(request, "accounts/home.html")


@login_required
@require_http_methods(["GET", "POST"])
# The password is asked for again; a session left open must not be a way to guess it.
@ratelimit(key="user", rate="10/h", method="POST", block=True)
def account_delete(request):
    owned = services.user_owned_classes(user=request.user)
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and not owned and form.is_valid():
        try:
            services.user_delete(user=request.user)
        except services.AccountDeleteRefused:  # a class was made in another tab meanwhile
            owned = services.user_owned_classes(user=request.user)
        else:
            logout(request)
            messages.success(request, "Your account and all your learning records have been deleted.")
            return redirect("landing")
    status = 409 if owned and request.method == "POST" else 422 if form.errors else 200
    return render(request, "accounts/account_delete.html", {"form": form, "owned": owned}, status=status)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Setting a new password from a reset link also lifts a log-in lockout on the address: the
    locked-out page offers the reset as the way back in."""

    def form_valid(self, form):
        from axes.utils import reset

        response = super().form_valid(form)
        reset(username=form.user.email)
        return response
