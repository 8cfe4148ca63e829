"""The in-memory buffer and the background thread that ships it to the server.

Logging calls append to the buffer and return at once. A daemon thread forms a batch
when the oldest waiting value is ``interval`` seconds old, as soon as ``trigger`` values
are waiting, or when someone flushes. Each batch gets its idempotency key when it is
formed and keeps it through every retry, so a retry whose first attempt was in fact
stored is acknowledged by the server without storing anything twice.

Params travel in batches of their own: a param the server refuses (params are
immutable) fails only its own request, never the metrics that would share it.
"""

import collections
import os
import threading
import time
import uuid
import weakref

from ._errors import LatheError, warn, warn_once
from ._http import DEFAULT_POLICY, HttpError, TransportError, encode_json, with_retry

MAX_METRICS = 10000  # per request, the server's limits
MAX_PARAMS = 1000
MAX_TAGS = 1000
MAX_PENDING = 1000000  # metric points held while the server is unreachable; newer ones are dropped

_all = weakref.WeakSet()


class Batch:
    __slots__ = ("key", "count", "body", "what")

    def __init__(self, metrics, params, tags, count):
        self.key = str(uuid.uuid4())
        self.count = count  # buffer entries this batch acknowledges (tags may be deduplicated)
        self.what = _describe(len(metrics), len(params), len(tags))
        self.body = encode_json({
            "metrics": [{"key": k, "value": v, "step": s, "timestamp": t} for (k, v, s, t) in metrics],
            "params": [{"key": k, "value": v} for (k, v) in params],
            "tags": [{"key": k, "value": v} for (k, v) in tags],
            "idempotency_key": self.key,
        })


def _describe(metrics, params, tags):
    parts = []
    for n, noun in ((metrics, "metric point"), (params, "param"), (tags, "tag")):
        if n:
            parts.append("%d %s%s" % (n, noun, "" if n == 1 else "s"))
    return ", ".join(parts) or "nothing"


def _last_per_key(tags):
    """Within one request only the last value of a tag matters (later batches are sent later)."""
    latest = {}
    for key, value in tags:
        latest.pop(key, None)
        latest[key] = value
    return list(latest.items())


def _take(queue, n):
    return [queue.popleft() for _ in range(min(n, len(queue)))]


class Batcher:
    """Buffers metric points, params and tags of one run and sends them in batches.

    ``post(body_bytes)`` makes one attempt to send a batch and raises
    :class:`HttpError` or :class:`TransportError` on failure; the batcher retries.
    """

    def __init__(self, post, label, policy=DEFAULT_POLICY, interval=0.5, trigger=1000):
        self._post = post
        self._label = label
        self._policy = policy
        self._interval = interval
        self._trigger = trigger
        self._init_state()
        _all.add(self)

    def _init_state(self):
        self._cond = threading.Condition(threading.Lock())
        self._metrics = collections.deque()  # (key, value, step, timestamp)
        self._params = collections.deque()  # (key, value)
        self._tags = collections.deque()  # (key, value)
        self._enqueued = 0  # entries ever added
        self._done = 0  # entries acknowledged or given up on; batches complete in order
        self._first_pending_at = None
        self._flush_waiters = 0
        self._closed = False
        self._thread = None
        self._errors = []
        self._abort = threading.Event()

    # -- producer side -------------------------------------------------------------

    def add(self, metrics=(), params=(), tags=()):
        with self._cond:
            if self._closed:
                return
            room = MAX_PENDING - len(self._metrics)
            if len(metrics) > room:
                warn_once(("overflow", id(self)), "more than %d metric points are waiting for the server "
                          "for %s; newer points are being dropped" % (MAX_PENDING, self._label))
                metrics = metrics[:max(room, 0)]
            n = len(metrics) + len(params) + len(tags)
            if not n:
                return
            self._metrics.extend(metrics)
            self._params.extend(params)
            self._tags.extend(tags)
            self._enqueued += n
            if self._first_pending_at is None:
                self._first_pending_at = time.monotonic()
            self._ensure_thread()
            if self._pending() >= self._trigger:
                self._cond.notify_all()

    def send_now(self, metrics=(), params=(), tags=()):
        """Send on the calling thread (with retries); raise :class:`LatheError` if it fails."""
        metrics, params, tags = list(metrics), list(params), list(tags)
        batches = []
        for i in range(0, len(params), MAX_PARAMS):
            chunk = params[i:i + MAX_PARAMS]
            batches.append(Batch([], chunk, [], len(chunk)))
        while metrics or tags:
            m, metrics = metrics[:MAX_METRICS], metrics[MAX_METRICS:]
            t, tags = tags[:MAX_TAGS], tags[MAX_TAGS:]
            batches.append(Batch(m, [], _last_per_key(t), len(m) + len(t)))
        for batch in batches:
            error = self._deliver(batch)
            if error is not None:
                raise error

    # -- flushing and shutdown -----------------------------------------------------

    def pending_count(self):
        with self._cond:
            return self._enqueued - self._done

    def flush(self, timeout=None):
        """Wait until everything added so far is acknowledged (or given up on).

        Returns False if ``timeout`` seconds passed first, True otherwise.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            target = self._enqueued
            if self._done >= target:
                return True
            self._ensure_thread()
            if self._thread is None:  # no thread can be started (interpreter shutdown)
                inline = True
            else:
                inline = False
                self._flush_waiters += 1
                self._cond.notify_all()
                try:
                    while self._done < target:
                        if deadline is None:
                            self._cond.wait()
                        else:
                            remaining = deadline - time.monotonic()
                            if remaining <= 0:
                                return False
                            self._cond.wait(remaining)
                finally:
                    self._flush_waiters -= 1
        if inline:
            return self._drain_inline(target, deadline)
        return True

    def close(self, timeout=None):
        """Flush, then stop the thread; later additions are ignored. Returns what flush returned."""
        ok = self.flush(timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        return ok

    def abandon(self):
        """Stop at once: drop whatever is buffered and cut short a batch being retried."""
        with self._cond:
            self._closed = True
            self._metrics.clear()
            self._params.clear()
            self._tags.clear()
            self._done = self._enqueued
            self._first_pending_at = None
            self._abort.set()
            self._cond.notify_all()

    def take_errors(self):
        """The :class:`LatheError` of each batch dropped since the last call."""
        with self._cond:
            errors, self._errors = self._errors, []
        return errors

    # -- the sending thread --------------------------------------------------------

    def _pending(self):
        return len(self._metrics) + len(self._params) + len(self._tags)

    def _ensure_thread(self):
        """Called with the lock held. Starts the thread if it is not running."""
        if self._thread is not None and self._thread.is_alive():
            return
        thread = threading.Thread(target=self._loop, name="lathe-batcher", daemon=True)
        try:
            thread.start()
        except RuntimeError:  # "can't create new thread at interpreter shutdown"
            self._thread = None
            return
        self._thread = thread

    def _take_batch(self):
        """Called with the lock held and something pending."""
        if self._params:
            params = _take(self._params, MAX_PARAMS)
            batch = Batch([], params, [], len(params))
        else:
            metrics = _take(self._metrics, MAX_METRICS)
            tags = _take(self._tags, MAX_TAGS)
            batch = Batch(metrics, [], _last_per_key(tags), len(metrics) + len(tags))
        if not self._pending():
            self._first_pending_at = None
        return batch

    def _ready(self):
        """Called with the lock held: seconds to wait before the next batch, 0 to send now, None for idle."""
        if not self._pending():
            return None
        if self._flush_waiters or self._closed or self._pending() >= self._trigger:
            return 0
        return max(0.0, self._first_pending_at + self._interval - time.monotonic())

    def _loop(self):
        me = threading.current_thread()
        while True:
            with self._cond:
                while True:
                    if self._thread is not me:  # replaced (after a fork) or reset
                        return
                    wait = self._ready()
                    if wait == 0:
                        break
                    if wait is None and self._closed:
                        self._thread = None
                        return
                    self._cond.wait(wait)
                batch = self._take_batch()
            try:
                self._deliver(batch, background=True)
            finally:
                with self._cond:
                    self._done += batch.count
                    self._cond.notify_all()

    def _drain_inline(self, target, deadline):
        while True:
            with self._cond:
                if self._done >= target:
                    return True
                if not self._pending() or (deadline is not None and time.monotonic() >= deadline):
                    return False
                batch = self._take_batch()
            try:
                self._deliver(batch, deadline=deadline, background=True)
            finally:
                with self._cond:
                    self._done += batch.count
                    self._cond.notify_all()

    def _deliver(self, batch, deadline=None, background=False):
        """Send one batch with retries. Returns None, or the :class:`LatheError` it was dropped with."""
        once_key = None
        try:
            with_retry(lambda: self._post(batch.body), self._policy, deadline, self._abort)
            return None
        except HttpError as e:
            if e.retryable:
                error = LatheError("gave up sending %s for %s after retrying: %s"
                                   % (batch.what, self._label, e), e.code, e.status)
            else:
                error = LatheError("the server rejected %s for %s (HTTP %d %s): %s"
                                   % (batch.what, self._label, e.status, e.code, e.message), e.code, e.status)
                # The same refusal tends to repeat (a revoked token, an ended run): say it once.
                once_key = ("rejected", self._label, e.status, e.code, e.message)
        except TransportError as e:
            error = LatheError("gave up sending %s for %s: the Lathe server could not be reached (%s)"
                               % (batch.what, self._label, e), "UNAVAILABLE")
        except Exception as e:  # noqa: BLE001 - the sending thread must survive anything
            error = LatheError("could not send %s for %s: %s: %s" % (batch.what, self._label, type(e).__name__, e))
        if background and not self._abort.is_set():
            with self._cond:
                if len(self._errors) < 100:
                    self._errors.append(error)
            if once_key is not None:
                warn_once(once_key, "%s; it was dropped" % error.message)
            else:
                warn("%s; it was dropped" % error.message)
        return error


def _after_fork_in_child():
    # The parent's thread does not exist here and its lock may have been held at the fork;
    # the parent still owns and sends whatever was buffered.
    for batcher in list(_all):
        batcher._init_state()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
