"""Keys for django-ratelimit that count per person, not per network address.

A school puts a whole class behind one address, so counting guests by IP would
let thirty pupils share one budget. A signed-in learner counts by account, a
guest by the random key their session holds for their attempts, and only a
visitor with neither by address: the client's (``client_ip``), not the load
balancer's, which every visitor would share.
"""

from django.conf import settings
from django_ratelimit.core import user_or_ip


def client_ip(request) -> str:
    """The address a request came from, for django-ratelimit (``RATELIMIT_IP_META_KEY``) and the
    log-in lockout (``AXES_CLIENT_IP_CALLABLE``).

    Behind ``AXES_IPWARE_PROXY_COUNT`` proxies (``AXES_PROXY_COUNT`` in the environment), each
    appends the address it received from to X-Forwarded-For, so the client's is that many entries
    from the right; whatever the client itself put further left is not trusted. With no proxy declared, the header is ignored (anyone can send it)."""
    meta = getattr(request, "META", {})  # axes may ask about a log-in made without a request
    count = settings.AXES_IPWARE_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return meta.get("REMOTE_ADDR", "")


def learner_or_guest(group, request) -> str:
    from quiz.services import GUEST_SESSION_KEY

    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    guest_key = request.session.get(GUEST_SESSION_KEY, "")
    if guest_key:
        return f"guest:{guest_key}"
    return f"ip:{user_or_ip(request)}"
