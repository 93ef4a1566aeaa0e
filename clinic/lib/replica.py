"""Reads that may go to the read replica (DATABASE_REPLICA_URL), and everything else to the primary.

Code opts in: `with replica_reads():` around a block, or `@reads_from_replica` on a view. Inside,
reads go to the replica unless one of these sends them to the primary, which always has the
latest data:

- this request (or command) has already written something: a read right after a write must
  see it, and the replica may lag behind;
- a transaction is open on the primary: what it reads must be consistent with what it writes;
- no replica is configured (the router is installed only when DATABASE_REPLICA_URL is set).

Writes always go to the primary. Migrations run on the primary only; the replica follows it.
"""

import contextvars
import functools
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_replica_wanted = contextvars.ContextVar("replica_wanted", default=False)
_written = contextvars.ContextVar("written", default=False)
_in_request = contextvars.ContextVar("in_request", default=False)


@contextmanager
def replica_reads():
    """Send the reads inside the block to the replica, as far as the rules above allow.

    In a request, a write anywhere earlier in the request counts; elsewhere (a command, a job in
    the worker) the block starts afresh, and only writes inside it count.
    """
    wanted = _replica_wanted.set(True)
    fresh = None if _in_request.get() else _written.set(False)
    try:
        yield
    finally:
        if fresh is not None:
            _written.reset(fresh)
        _replica_wanted.reset(wanted)


def reads_from_replica(view=None, *, staff_from_primary=False):
    """Decorate a view so its reads go to the replica. With `staff_from_primary`, signed-in staff
    read from the primary instead, so a page they have just edited shows their change."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if staff_from_primary and request.user.is_staff:
                return view(request, *args, **kwargs)
            with replica_reads():
                response = view(request, *args, **kwargs)
                if getattr(response, "is_rendered", True) is False:
                    response.render()  # a TemplateResponse's queries run when it renders: here, not later
                return response

        return wrapped

    return decorate(view) if view is not None else decorate


@contextmanager
def fresh_request():
    """Forget the writes of an earlier request: each request starts reading where its rules say."""
    written, in_request = _written.set(False), _in_request.set(True)
    try:
        yield
    finally:
        _in_request.reset(in_request)
        _written.reset(written)


def ReplicaRequestMiddleware(get_response):  # noqa: N802 - Django middleware factories are named like classes
    def middleware(request):
        with fresh_request():
            return get_response(request)

    return middleware


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _replica_wanted.get()
            and not _written.get()
            and REPLICA in connections.settings
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        _written.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS
