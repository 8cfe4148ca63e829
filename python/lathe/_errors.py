"""The exception type the module raises and the one place it writes warnings."""

import sys
import threading


class LatheError(Exception):
    """A logging call that was asked to be synchronous could not be recorded.

    ``code`` is the server's error code (e.g. ``"INVALID_ARGUMENT"``) when the server
    answered, ``"UNAVAILABLE"`` when it could not be reached; ``status`` is the HTTP
    status, or None when there was no HTTP answer.
    """

    def __init__(self, message, code=None, status=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


_lock = threading.Lock()
_seen = set()


def warn(message):
    """Write one ``lathe: ...`` line to stderr. Never raises: logging must not break a script."""
    try:
        stream = sys.stderr
        if stream is not None:
            stream.write("lathe: " + message + "\n")
            stream.flush()
    except Exception:  # noqa: BLE001 - a closed or broken stderr is not our problem to raise
        pass


def warn_once(key, message):
    """Like :func:`warn`, but only the first time ``key`` is seen in this process."""
    with _lock:
        if key in _seen:
            return
        _seen.add(key)
    warn(message)


def _reset():
    """Forget which warnings were printed (fork and tests)."""
    global _lock
    _lock = threading.Lock()
    _seen.clear()
