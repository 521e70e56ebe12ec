"""Calls that race each other for real, in threads with their own database connections."""

import threading

from django.db import connection


def at_once(call, *arguments) -> list:
    """``call(argument)`` for each argument, in threads released together (a double click,
    two tabs); returns what each returned, in order, and raises what any raised. Each thread
    uses and closes its own database connection, so the calls really race in the database."""
    barrier = threading.Barrier(len(arguments))
    results, errors = [None] * len(arguments), []

    def run(index, argument):
        try:
            barrier.wait()
            results[index] = call(argument)
        except BaseException as error:  # noqa: BLE001 - handed to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
