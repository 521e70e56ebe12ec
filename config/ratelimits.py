"""Keys for django-ratelimit that count per person, not per network address.

A school puts a whole class behind one address (and production behind a load
balancer, unless ``RATELIMIT_IP_META_KEY`` is set), so counting guests by IP
would let thirty pupils share one budget. A signed-in learner counts by account,
a guest by the random key their session holds for their attempts, and only a
visitor with neither by address.
"""

from django_ratelimit.core import user_or_ip


def learner_or_guest(group, request) -> str:
    from quiz.services import GUEST_SESSION_KEY

    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    guest_key = request.session.get(GUEST_SESSION_KEY, "")
    if guest_key:
        return f"guest:{guest_key}"
    return f"ip:{user_or_ip(request)}"
