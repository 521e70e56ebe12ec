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
    """``user:<pk>`` for a session logged in to an account, ``guest:<key>`` for a guest's, else
    ``ip:<address>``. The account is the one the session was logged in as, read without loading
    it (``session_user_id``): counting needs no more, and the answer view reads the learner's row
    with its own query (``accounts.backends``)."""
    from accounts.backends import session_user_id
    from quiz.services import GUEST_SESSION_KEY

    user_id = session_user_id(request)
    if user_id is not None:
        return f"user:{user_id}"
    guest_key = request.session.get(GUEST_SESSION_KEY, "")
    if guest_key:
        return f"guest:{guest_key}"
    return f"ip:{user_or_ip(request)}"
