"""Database helpers shared by the apps' background jobs."""

from django.db import connection


def reconnect_if_broken() -> None:
    """Before a job records its own failure: if that failure broke the database connection (a
    restart), drop it so the next query opens a fresh one, rather than failing on the dead one and
    leaving the job "running" for ever. Inside a transaction (a job run in-process, tests) nothing
    is touched: the transaction's connection must stay."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()
