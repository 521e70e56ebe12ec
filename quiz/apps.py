from django.apps import AppConfig


def claim_guest_attempts(sender, request, user, **kwargs):
    """On log-in (sign-up logs in too), give this browser's guest attempts to the account.

    Side-effect wiring only: the rule lives in ``services.attempts_claim_guest``. The guest
    key is kept in the session *data*, which survives the key rotation login() does.
    """
    from . import services

    if request is not None and hasattr(request, "session"):
        key = request.session.pop(services.GUEST_SESSION_KEY, "")
        services.attempts_claim_guest(guest_key=key, user=user)


def rescore_relabelled_clip(sender, clip, **kwargs):
    """A clip's truth or technique changed: past answers to it now score differently."""
    from . import services

    services.clip_scores_rebuild(clip=clip)


class QuizConfig(AppConfig):
    name = "quiz"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from clips.signals import clip_relabelled

        user_logged_in.connect(claim_guest_attempts, dispatch_uid="quiz_claim_guest_attempts")
        clip_relabelled.connect(rescore_relabelled_clip, dispatch_uid="quiz_rescore_relabelled_clip")
