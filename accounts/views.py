"""Sign-up, the signed-in home page and the landing page."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .forms import SignUpForm


def landing(request):
    return render(request, "landing.html")


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to Second Look. Your account is ready.")
        return redirect(request.GET.get("next") or "home")
    return render(request, "accounts/signup.html", {"form": form}, status=422 if form.errors else 200)


@login_required
def home(request):
    return render(request, "accounts/home.html")
