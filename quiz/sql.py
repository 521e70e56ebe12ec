"""Hand-written SQL for the one path that runs on every answer (``services.response_record``).

``bench/quiz_load.py`` holds an answer to at least half the throughput of a trivial
page behind the same middleware. Through the ORM an answer cost four times a trivial
page: each statement spent 0.2-0.9 ms of Python being built and compiled, for SQL
that runs in a few microseconds. So this path reads the item, its attempt, its clip
and the attempt's order state in one hand-written ``SELECT``, and writes the answer,
its score and (on the last item) the attempt's end in one statement on PostgreSQL
(three, in a transaction, on SQLite).

It stays tied to the models: column names come from the models' metadata and every
value goes through the field's own conversions in both directions, exactly as the
ORM does it, and the instances it makes are ordinary model instances. The promises
stay where they were, in the database: one answer per item (the one-to-one), one
score row per attempt and technique (the unique constraint the upsert names), and
consistent counts (the check constraint).
"""

from __future__ import annotations

import functools
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Optional

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Model

from accounts.models import User
from clips.models import Clip

from .models import CLIP_REVEAL_FIELDS, SCORE_COUNTS, Attempt, AttemptItem, AttemptScore, Response


class Columns:
    """Some of a model's columns under a table alias: the SQL to select them, and the
    instance made from their values (the other fields deferred, loaded if touched)."""

    def __init__(self, model: type[Model], alias: str, names: Optional[list[str]] = None):
        wanted = set(names) if names is not None else None
        self.model, self.alias = model, alias
        # In the model's own field order: ``Model.from_db`` expects the values so.
        self.fields = [f for f in model._meta.concrete_fields if wanted is None or f.name in wanted]
        missing = (wanted or set()) - {f.name for f in self.fields}
        if missing:
            raise ValueError(f"{model.__name__} has no columns {sorted(missing)}")
        self.attnames = [f.attname for f in self.fields]
        self._converters: dict[str, list] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def sql(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(f.column)}" for f in self.fields)

    def _converters_for(self, db) -> list:
        """Per column, the backend's and the field's converters, as ``SQLCompiler.get_converters`` finds them."""
        if db.vendor not in self._converters:
            found = []
            for field in self.fields:
                col = field.get_col(self.alias)
                found.append((db.ops.get_db_converters(col) + col.get_db_converters(db), col))
            self._converters[db.vendor] = found
        return self._converters[db.vendor]

    def make(self, values, db=None):
        db = db or connections[DEFAULT_DB_ALIAS]  # once, not through the proxy on every use below
        values = list(values)
        for i, (converters, col) in enumerate(self._converters_for(db)):
            for convert in converters:
                values[i] = convert(values[i], col, db)
        return self.model.from_db(db.alias, self.attnames, values)


def db_value(model: type[Model], name: str, value, db=None):
    """A value as the ORM would send it to the database for this field."""
    return model._meta.get_field(name).get_db_prep_save(value, db or connection)


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _cursor(db):
    """A cursor for this path's statements on the connection ``db``.

    On PostgreSQL (unless ``settings.ANSWER_PREPARE_THRESHOLD`` is None) it binds parameters
    on the server and has psycopg prepare each statement after that many runs on a
    connection, so PostgreSQL stops parsing and planning it on every answer (its CPU per
    answer 1.66 -> 0.75 ms in ``bench/quiz_load.py``). Django's own cursors bind on the
    client and prepare nothing: their ``IN`` lists can pass PostgreSQL's 65,535 bound
    parameters; these statements have a few fixed ones. Errors, health checks and query
    logging are Django's, as for its own cursors."""
    if db.vendor != "postgresql" or settings.ANSWER_PREPARE_THRESHOLD is None:
        return db.cursor()
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        raw = _preparing_cursor_class()(db.connection)
    return _prepared_debug_wrapper_class()(raw, db) if db.queries_logged else db.make_cursor(raw)


@functools.cache
def _preparing_cursor_class():
    import psycopg
    from django.db.backends.postgresql.base import ServerBindingCursor

    stale = (psycopg.errors.FeatureNotSupported, psycopg.errors.InvalidSqlStatementName)

    class PreparingCursor(ServerBindingCursor):
        """Prepares its statements; the rest of the connection does not.

        psycopg's ``prepare_threshold`` belongs to the connection, and while it is set psycopg
        counts every statement run, the ORM's too (their text, values inlined, up to 100 of
        them). So it is set only while this cursor runs one (Django leaves it None)."""

        def execute(self, query, params=None, **kwargs):
            conn = self.connection
            outside, conn.prepare_threshold = conn.prepare_threshold, settings.ANSWER_PREPARE_THRESHOLD
            try:
                try:
                    return super().execute(query, params, **kwargs)
                except stale:
                    # "cached plan must not change result type" after a migration changed a
                    # column this returns, or a statement the server no longer has. Inside a
                    # transaction the rollback that follows makes psycopg forget its statements;
                    # outside one, forget them now (psycopg sees the DEALLOCATE ALL) and run once more.
                    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                        raise
                    super().execute("DEALLOCATE ALL", prepare=False)
                    return super().execute(query, params, **kwargs)
            finally:
                conn.prepare_threshold = outside

    return PreparingCursor


@functools.cache
def _prepared_debug_wrapper_class():
    from django.db.backends.postgresql.base import CursorDebugWrapper

    class PreparedDebugWrapper(CursorDebugWrapper):
        """Logs a run of a prepared statement with its values, as Django logs server-side
        binding: psycopg keeps no query text for it, where Django's wrapper looks."""

        def execute(self, sql, params=None):
            with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
                return CursorWrapper.execute(self, sql, params)

    return PreparedDebugWrapper


def column(model: type[Model], name: str) -> str:
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    return connection.ops.quote_name(field.column)


ITEM = Columns(AttemptItem, "i")
ATTEMPT = Columns(Attempt, "a")
CLIP = Columns(Clip, "c", ["id", "public_id", "title", *CLIP_REVEAL_FIELDS])  # the rest stays deferred
LEARNER = Columns(User, "u")  # every column: it becomes request.user


@dataclass
class Target:
    """The item an answer is for, with its attempt and clip, and where the attempt stands."""

    item: AttemptItem  # ``item.attempt`` and ``item.clip`` are loaded
    answered: bool  # this item already has its answer
    total: int  # items in the attempt
    open: int  # items not yet answered
    first_open: Optional[int]  # position of the item to answer now (None: all answered)
    learner: Optional[User] = None  # the attempt's learner, read when the lookup was scoped to one

    @property
    def is_current(self) -> bool:
        return not self.answered and self.first_open == self.item.position


def _target_sql(scope: str, with_learner: bool) -> str:
    i, a, c, r = table(AttemptItem), table(Attempt), table(Clip), table(Response)
    item_id, attempt_id = column(Response, "item"), column(AttemptItem, "attempt")
    pk = column(AttemptItem, "pk")
    unanswered = f"NOT EXISTS (SELECT 1 FROM {r} r WHERE r.{item_id} = o.{pk})"
    learner = (f" JOIN {table(User)} u ON u.{column(User, 'pk')} = a.{column(Attempt, 'learner')}"
               if with_learner else "")
    return (
        f"SELECT {ITEM.sql()}, {ATTEMPT.sql()}, {CLIP.sql()},{f' {LEARNER.sql()},' if with_learner else ''}"
        f" EXISTS (SELECT 1 FROM {r} r WHERE r.{item_id} = i.{pk}),"
        f" (SELECT COUNT(*) FROM {i} o WHERE o.{attempt_id} = i.{attempt_id}),"
        f" (SELECT COUNT(*) FROM {i} o WHERE o.{attempt_id} = i.{attempt_id} AND {unanswered}),"
        f" (SELECT MIN(o.{column(AttemptItem, 'position')}) FROM {i} o"
        f"  WHERE o.{attempt_id} = i.{attempt_id} AND {unanswered})"
        f" FROM {i} i JOIN {a} a ON a.{column(Attempt, 'pk')} = i.{attempt_id}"
        f" JOIN {c} c ON c.{column(Clip, 'pk')} = i.{column(AttemptItem, 'clip')}{learner}"
        f" WHERE i.{column(AttemptItem, 'token')} = %s AND {scope}"
    )


_SQL: dict[tuple[str, str], str | tuple[str, ...]] = {}


def _cached_sql(key: str, build):
    """SQL text built once per database vendor (quoting differs)."""
    full_key = (connection.vendor, key)
    if full_key not in _SQL:
        _SQL[full_key] = build()
    return _SQL[full_key]


def answer_target(*, token: str, attempt_pk: Optional[int] = None, attempt_public_id: str = "",
                  learner_id: Optional[int] = None, guest_key: str = "") -> Optional[Target]:
    """The item with this token, in one query: in the attempt with this primary key, or in
    the attempt with this public id that belongs to this learner (or, without a learner,
    to this guest browser): ``models.learner_filter``'s rule, in SQL. None when there is no
    such item.

    Scoped to a learner, it reads the learner's row too (``Target.learner``, also set as the
    attempt's ``learner``), for ``accounts.backends.user_preloaded``: the answer view scopes by
    the account its session names and has ``request.user`` confirm that account from this row."""
    with_learner = False
    if attempt_pk is not None:
        scope, params = "a.{pk} = %s", [attempt_pk]
    elif learner_id is not None:
        scope, params = "a.{public_id} = %s AND a.{learner} = %s", [attempt_public_id, learner_id]
        with_learner = True
    elif guest_key:
        scope = "a.{public_id} = %s AND a.{learner} IS NULL AND a.{guest} = %s"
        params = [attempt_public_id, guest_key]
    else:
        return None
    sql = _cached_sql(scope, lambda: _target_sql(scope.format(
        pk=column(Attempt, "pk"), public_id=column(Attempt, "public_id"), learner=column(Attempt, "learner"),
        guest=column(Attempt, "guest_key")), with_learner))
    db = connections[DEFAULT_DB_ALIAS]
    with _cursor(db) as c:
        c.execute(sql, [token, *params])
        row = c.fetchone()
    if row is None:
        return None
    n_item, n_attempt, n_clip = len(ITEM), len(ATTEMPT), len(CLIP)
    item = ITEM.make(row[:n_item], db)
    item.attempt = ATTEMPT.make(row[n_item:n_item + n_attempt], db)
    at = n_item + n_attempt + n_clip
    item.clip = CLIP.make(row[n_item + n_attempt:at], db)
    learner = None
    if with_learner:
        learner = item.attempt.learner = LEARNER.make(row[at:at + len(LEARNER)], db)
        at += len(LEARNER)
    answered, total, open_count, first_open = row[at:]
    return Target(item=item, answered=bool(answered), total=total, open=open_count, first_open=first_open,
                  learner=learner)


_RESPONSE_FIELDS = ("item", "answered_fake", "confidence", "time_ms", "point_x", "point_y", "grid_cell",
                    "found_tell", "created_at")


def _store_sql(last: bool) -> tuple[str, ...]:
    """The statements ``answer_store`` runs: on PostgreSQL one statement (its data-modifying
    ``WITH`` clauses are atomic together, so it needs no transaction of its own and costs one
    round trip); elsewhere three, in a transaction."""
    r, s, a = table(Response), table(AttemptScore), table(Attempt)
    insert = (f"INSERT INTO {r} ({', '.join(column(Response, n) for n in _RESPONSE_FIELDS)})"
              f" VALUES ({', '.join(['%s'] * len(_RESPONSE_FIELDS))})")
    counts = [column(AttemptScore, n) for n in SCORE_COUNTS]
    keys = f"{column(AttemptScore, 'attempt')}, {column(AttemptScore, 'technique')}"
    values = ", ".join(["%s"] * (2 + len(counts)))
    # One score row per attempt and technique: the first answer creates it, the others add to it.
    upsert = (f"INSERT INTO {s} ({keys}, {', '.join(counts)}) {{source}} ON CONFLICT ({keys}) DO UPDATE SET "
              + ", ".join(f"{n} = {s}.{n} + excluded.{n}" for n in counts))
    finished_at = column(Attempt, "finished_at")
    end = f"UPDATE {a} SET {finished_at} = %s WHERE {column(Attempt, 'pk')} = %s AND {finished_at} IS NULL"
    if connection.vendor == "postgresql":
        pk = column(Response, "pk")
        return (f"WITH r AS ({insert} RETURNING {pk}), s AS ({upsert.format(source=f'SELECT {values} FROM r')})"
                + (f", e AS ({end} AND EXISTS (SELECT 1 FROM r))" if last else "")
                + f" SELECT {pk} FROM r",)
    return (insert, upsert.format(source=f"VALUES ({values})"), *([end] if last else []))


def answer_store(*, item: AttemptItem, technique: str, deltas: dict[str, int], last: bool, **values) -> Response:
    """Store one answer: the ``Response`` (``values``: each of ``_RESPONSE_FIELDS`` but the item),
    ``deltas`` added to the attempt's score row for ``technique``, and, when it is the ``last``
    item, the attempt's end (``values["created_at"]``). All of it or nothing.

    Raises ``IntegrityError`` when the item already has its answer (the one-to-one), having
    stored and counted nothing."""
    db = connections[DEFAULT_DB_ALIAS]
    now = values["created_at"]
    response_params = [item.pk] + [db_value(Response, name, values[name], db) for name in _RESPONSE_FIELDS[1:]]
    score_params = [item.attempt_id, technique, *(deltas[n] for n in SCORE_COUNTS)]
    end_params = [db_value(Attempt, "finished_at", now, db), item.attempt_id] if last else []
    statements = _cached_sql(f"answer_store last={last}", lambda: _store_sql(last))
    if db.vendor == "postgresql":
        # Outside a transaction the one statement is atomic by itself; inside one (a caller's),
        # a savepoint keeps that transaction usable when the insert is refused.
        with transaction.atomic() if db.in_atomic_block else nullcontext():
            with _cursor(db) as c:
                c.execute(statements[0], response_params + score_params + end_params)
                (pk,) = c.fetchone()
    else:
        insert, upsert, *end = statements
        # The transaction begins IMMEDIATE (settings), so it holds the write lock from the start.
        with transaction.atomic(), _cursor(db) as c:
            c.execute(insert, response_params)
            pk = c.lastrowid  # not RETURNING: SQLite has it only from 3.35, Django 5.2 runs on 3.31
            c.execute(upsert, score_params)
            if end:
                c.execute(end[0], end_params)
    response = Response(pk=pk, item=item, **values)
    response._state.adding = False
    response._state.db = db.alias
    return response
