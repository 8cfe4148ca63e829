"""``Run``: logging to one run, the current one or a child; and the process-wide state."""

import atexit
import errno
import math
import numbers
import operator
import os
import posixpath
import sys
import threading
import time
import traceback
from collections.abc import Mapping
from urllib.parse import quote

from . import _config
from ._batcher import Batcher
from ._errors import LatheError, warn, warn_once
from ._http import SHORT_POLICY, DEFAULT_POLICY, HttpClient, HttpError, TransportError, with_retry

NOOP_WARNING = "not running under Lathe; metrics are not recorded"
EXIT_FLUSH_TIMEOUT = 30.0
STATUSES = ("Completed", "Failed", "Canceled")
MAX_KEY = 250
MAX_VALUE = 8000
MAX_REASON = 4000


# -- argument checks (the same with or without a server, so a script that runs
#    outside Lathe does not start failing inside it) ----------------------------------

def _check_key(key, what):
    if not isinstance(key, str):
        raise TypeError("lathe: %s key must be a str, got %s" % (what, type(key).__name__))
    if not key or len(key) > MAX_KEY:
        raise ValueError("lathe: %s key must be 1 to %d characters, got %r" % (what, MAX_KEY, key[:300]))
    return key


def _check_text(key, value, what):
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_VALUE:
        raise ValueError("lathe: %s %r value is %d characters; at most %d are allowed"
                         % (what, key, len(text), MAX_VALUE))
    return text


def _encode_value(key, value):
    """A JSON-ready metric value: a number, or "NaN" / "Infinity" / "-Infinity"."""
    if isinstance(value, (str, bytes, bytearray)) or value is None:
        raise TypeError("lathe: metric %r value must be a number, got %s" % (key, type(value).__name__))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError("lathe: metric %r value must be a number, got %s"
                        % (key, type(value).__name__)) from None
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and abs(int(value)) < 2 ** 53:
        return int(value)
    return number


def _check_int(value, what):
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError("lathe: %s must be an int, got %s" % (what, type(value).__name__)) from None


def _check_timestamp(timestamp):
    if isinstance(timestamp, bool) or not isinstance(timestamp, numbers.Real):
        raise TypeError("lathe: timestamp must be milliseconds since the epoch, got %s" % type(timestamp).__name__)
    return int(timestamp)


def _now_ms():
    return int(time.time() * 1000)


def _string_map(values, what):
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise TypeError("lathe: %s must be a dict, got %s" % (what, type(values).__name__))
    return {_check_key(k, what[:-1]): _check_text(k, v, what[:-1]) for k, v in values.items()}


def _clean_artifact_path(path):
    """'' or a normalised relative posix path; no absolute paths, no '..'."""
    if path is None:
        return ""
    path = os.fspath(path).replace("\\", "/")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":" and path[0].isalpha()):
        raise ValueError("lathe: artifact_path must be relative, got %r" % path)
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ValueError("lathe: artifact_path must not contain '..', got %r" % path)
    return "/".join(parts)


def _artifact_files(local_path):
    """[(file on disk, relative posix path)] for a file or, recursively, a folder's contents."""
    if os.path.isfile(local_path):
        return [(local_path, os.path.basename(local_path))]
    if os.path.isdir(local_path):
        files = []
        for root, dirs, names in os.walk(local_path):
            dirs.sort()
            for name in sorted(names):
                full = os.path.join(root, name)
                if os.path.isfile(full):
                    rel = os.path.relpath(full, local_path).replace(os.sep, "/")
                    files.append((full, rel))
        return files
    raise FileNotFoundError(errno.ENOENT, "lathe: no such file or folder", local_path)


class Run:
    """Logging to one run. ``lathe.active_run()`` is the run the script runs as;
    ``child_run()`` returns a new child ``Run``, which is also a context manager.

    A Run without a server (outside Lathe, or a child that could not be created)
    checks its arguments and records nothing.
    """

    def __init__(self, run_id, client=None, workspace=None, synchronous=False, is_child=False,
                 disabled_reason=None):
        self._id = run_id
        self._client = client
        self._workspace = workspace
        self._synchronous = synchronous
        self._is_child = is_child
        self._disabled_reason = disabled_reason if client is None else None
        self._lock = threading.Lock()
        self._steps = {}  # metric key -> next default step
        self._params = {}  # param key -> value this process logged
        self._ended = False
        self._batcher = None
        if client is not None:
            self._batcher = Batcher(self._post_batch, "run %s" % run_id)

    def __repr__(self):
        state = "ended" if self._ended else ("disabled" if self._client is None else "active")
        return "<lathe.Run id=%r %s>" % (self._id, state)

    @property
    def id(self):
        """The run id, or None when nothing is recorded."""
        return self._id

    def get_run_id(self):
        return self._id

    # -- plumbing ----------------------------------------------------------------

    def _path(self, *segments):
        return HttpClient.workspace_path(self._workspace, "runs", self._id, *segments)

    def _post_batch(self, body):
        return self._client.request_json("POST", self._path("log-batch"), body=body)

    def _active(self):
        """False (after at most one warning) when calls are not to be recorded."""
        if self._client is None:
            if self._disabled_reason == "noop":
                warn_once("noop", NOOP_WARNING + _missing_suffix())
            return False
        if self._ended:
            warn_once(("ended", self._id), "run %s has ended; further logging to it is ignored" % self._id)
            return False
        return True

    def _is_sync(self, synchronous):
        return self._synchronous if synchronous is None else bool(synchronous)

    def _submit(self, sync, metrics=(), params=(), tags=()):
        if sync:
            self._batcher.flush()  # keep the order of earlier queued calls
            self._batcher.send_now(metrics, params, tags)
        else:
            self._batcher.add(metrics, params, tags)

    # -- metrics -----------------------------------------------------------------

    def log_metric(self, key, value, step=None, timestamp=None, *, synchronous=None):
        """Log one value of metric ``key``.

        ``step`` defaults to one more than the last step logged for ``key`` in this
        process (0 for the first); ``timestamp`` (ms since the epoch) defaults to now.
        NaN and infinities are allowed.
        """
        self.log_metrics({key: value}, step=step, timestamp=timestamp, synchronous=synchronous)

    def log_metrics(self, metrics, step=None, timestamp=None, *, synchronous=None):
        """Log several metrics at once, e.g. ``log_metrics({"loss": l, "acc": a}, step=epoch)``."""
        if not isinstance(metrics, Mapping):
            raise TypeError("lathe: log_metrics takes a dict, got %s" % type(metrics).__name__)
        values = [(_check_key(k, "metric"), _encode_value(k, v)) for k, v in metrics.items()]
        step = None if step is None else _check_int(step, "step")
        timestamp = _now_ms() if timestamp is None else _check_timestamp(timestamp)
        if not values or not self._active():
            return
        points = []
        with self._lock:
            for key, value in values:
                s = self._steps.get(key, 0) if step is None else step
                self._steps[key] = s + 1
                points.append((key, value, s, timestamp))
        self._submit(self._is_sync(synchronous), metrics=points)

    # -- params and tags ---------------------------------------------------------

    def log_param(self, key, value, *, synchronous=None):
        """Log a hyperparameter; the value is stored as ``str(value)``. Params are immutable."""
        self.log_params({key: value}, synchronous=synchronous)

    def log_params(self, params, *, synchronous=None):
        values = _string_map(params, "params")
        if not values or not self._active():
            return
        sync = self._is_sync(synchronous)
        new, conflicts = [], []
        with self._lock:
            for key, value in values.items():
                old = self._params.get(key)
                if old is None:
                    new.append((key, value))
                elif old != value:
                    conflicts.append("param %r was already logged as %r; params are immutable, so %r is ignored"
                                     % (key, old, value))
            if sync and conflicts:
                raise LatheError(conflicts[0], "INVALID_ARGUMENT")
            for key, value in new:
                self._params[key] = value
        for message in conflicts:
            warn(message)
        if not new:
            return
        try:
            self._submit(sync, params=new)
        except LatheError:
            with self._lock:  # the server does not have them: allow logging them again
                for key, value in new:
                    if self._params.get(key) == value:
                        del self._params[key]
            raise

    def set_tag(self, key, value, *, synchronous=None):
        """Set a tag (mutable: a later value replaces an earlier one)."""
        self.set_tags({key: value}, synchronous=synchronous)

    def set_tags(self, tags, *, synchronous=None):
        values = _string_map(tags, "tags")
        if values and self._active():
            self._submit(self._is_sync(synchronous), tags=list(values.items()))

    # -- artifacts ---------------------------------------------------------------

    def log_artifact(self, local_path, artifact_path=None):
        """Upload a file, or a folder's contents recursively, under ``artifact_path``.

        A file ``model.pt`` goes to ``<artifact_path>/model.pt``; a folder's files keep
        their paths relative to the folder. Synchronous: returns the artifact paths
        uploaded, raises :class:`LatheError` if the server refuses or cannot be reached.
        """
        local_path = os.fspath(local_path)
        prefix = _clean_artifact_path(artifact_path)
        files = _artifact_files(local_path)
        if not self._active():
            return []
        uploaded = []
        for full, rel in files:
            dest = posixpath.join(prefix, rel) if prefix else rel
            self._upload(full, dest)
            uploaded.append(dest)
        return uploaded

    def _upload(self, full, dest):
        path = self._path("artifacts", "content") + "?path=" + quote(dest, safe="")

        def attempt():
            with open(full, "rb") as f:  # reopened per attempt: a retry starts from byte 0
                return self._client.put_file(path, f, os.fstat(f.fileno()).st_size)

        try:
            with_retry(attempt, DEFAULT_POLICY)
        except HttpError as e:
            raise LatheError("could not upload artifact %r: HTTP %d %s: %s"
                             % (dest, e.status, e.code, e.message), e.code, e.status) from None
        except TransportError as e:
            raise LatheError("could not upload artifact %r: the Lathe server could not be reached (%s)"
                             % (dest, e), "UNAVAILABLE") from None

    # -- model registry ----------------------------------------------------------

    def register_model(self, name, path, model_type=None, description=None, tags=None, properties=None):
        """Register a model version from this run's files; returns the version (a dict).

        ``path`` is either a local file or folder, which is uploaded as this run's
        artifacts under ``registered-models/<name>`` first, or the path of artifacts the
        run already logged (e.g. ``"outputs/model"``). ``model_type`` is ``custom_model``
        or ``mlflow_model`` (default: ``mlflow_model`` when the files hold an MLmodel).
        The version links back to this run (lineage). Synchronous; raises LatheError.
        """
        if not isinstance(name, str) or not name:
            raise ValueError("lathe: register_model needs a model name")
        if not self._active():
            return None
        local = os.fspath(path)
        if os.path.exists(local):
            prefix = "registered-models/" + name
            if os.path.isfile(local):
                prefix = prefix + "/" + os.path.basename(local)
                self.log_artifact(local, "registered-models/" + name)
            else:
                self.log_artifact(local, prefix)
            source_path = prefix
        else:
            source_path = _clean_artifact_path(local)
        body = {"source": {"kind": "uri", "uri": "runs:/%s/%s" % (self._id, source_path)}}
        if model_type:
            body["type"] = model_type
        if description:
            body["description"] = description
        if tags:
            body["tags"] = _string_map(tags, "tags")
        if properties:
            body["properties"] = _string_map(properties, "properties")
        api_path = HttpClient.workspace_path(self._workspace, "models", name, "versions")
        try:
            return with_retry(lambda: self._client.request_json("POST", api_path, body), SHORT_POLICY)
        except HttpError as e:
            raise LatheError("could not register model %r: HTTP %d %s: %s" % (name, e.status, e.code, e.message), e.code, e.status) from None
        except TransportError as e:
            raise LatheError("could not register model %r: the Lathe server could not be reached (%s)" % (name, e), "UNAVAILABLE") from None

    # -- child runs --------------------------------------------------------------

    def child_run(self, name=None, tags=None):
        """Create a child run now and return it.

        Use it as a context manager (``with lathe.child_run("trial-3") as trial:``): on
        exit it is flushed and ended Completed, or Failed with the exception text if
        one escaped. Without ``with``, call ``end()``. If the child cannot be created a
        warning is printed and the returned Run records nothing.
        """
        tag_map = _string_map(tags, "tags")
        if name is not None and not isinstance(name, str):
            raise TypeError("lathe: child run name must be a str, got %s" % type(name).__name__)
        if not self._active():
            return Run(None, disabled_reason=self._disabled_reason or "parent")
        body = {"parent_run_id": self._id}
        if name:
            body["display_name"] = name
        if tag_map:
            body["tags"] = tag_map
        path = HttpClient.workspace_path(self._workspace, "runs")
        try:
            created = with_retry(lambda: self._client.request_json("POST", path, body), SHORT_POLICY)
            child_id = created.get("id") if isinstance(created, dict) else None
            if not child_id:
                raise ValueError("the answer has no run id")
        except (HttpError, TransportError, ValueError) as e:
            warn("could not create child run %r of run %s (%s); its logging is not recorded"
                 % (name or "", self._id, e))
            return Run(None, disabled_reason="failed")
        child = Run(str(child_id), self._client, self._workspace, self._synchronous, is_child=True)
        _open_children_add(child)
        return child

    def end(self, status="Completed", reason=None, timeout=None):
        """Flush, then end this child run with ``status`` (Completed, Failed or Canceled).

        On the run the script runs as, this only flushes: the agent ends that run
        from the script's exit code. Warns (never raises) if the status is not recorded.
        """
        if status not in STATUSES:
            raise ValueError("lathe: status must be one of %s, got %r" % (", ".join(STATUSES), status))
        if self._client is None:
            return
        if not self._is_child:
            self._batcher.flush(timeout)
            return
        with self._lock:
            if self._ended:
                return
            self._ended = True
        try:
            if not self._batcher.close(timeout):
                warn("run %s ended with %d logged values not yet acknowledged by the server"
                     % (self._id, self._batcher.pending_count()))
            body = {"status": status}
            if reason:
                body["reason"] = str(reason)[:MAX_REASON]
            try:
                with_retry(lambda: self._client.request_json("POST", self._path("status"), body), SHORT_POLICY)
            except (HttpError, TransportError) as e:
                warn("could not mark run %s %s: %s" % (self._id, status, e))
        finally:
            _open_children_remove(self)

    def flush(self, timeout=None):
        """Block until everything logged so far is acknowledged by the server.

        Returns False if ``timeout`` seconds passed first. When the run is synchronous
        (``LATHE_SYNCHRONOUS=1``), raises :class:`LatheError` for a batch the server refused.
        """
        if not self._active():
            return True
        ok = self._batcher.flush(timeout)
        if self._synchronous:
            errors = self._batcher.take_errors()
            if errors:
                raise errors[0]
        return ok

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.end("Completed")
        else:
            reason = "".join(traceback.format_exception_only(exc_type, exc)).strip()
            self.end("Failed", reason=reason)
        return False


# -- process-wide state ---------------------------------------------------------------

_state_lock = threading.Lock()
_current = None
_missing = []
_children = {}  # id(run) -> run, child runs not ended yet
_atexit_registered = False


def _missing_suffix():
    # All four unset: the script simply is not under Lathe. Some unset: say which.
    if _missing and len(_missing) < len(_config.REQUIRED):
        return " (%s not set)" % ", ".join(_missing)
    return ""


def _open_children_add(run):
    with _state_lock:
        _children[id(run)] = run


def _open_children_remove(run):
    with _state_lock:
        _children.pop(id(run), None)


def current_run():
    """The Run the script runs as, built from the environment on first use."""
    global _current, _missing, _atexit_registered
    run = _current
    if run is not None:
        return run
    with _state_lock:
        if _current is None:
            config, _missing = _config.load()
            if config is None:
                _current = Run(None, disabled_reason="noop")
            else:
                try:
                    client = HttpClient(config.api_url, config.token)
                except ValueError:
                    _missing = [_config.ENV_API_URL + " (not an http(s) URL: %r)" % config.api_url]
                    _current = Run(None, disabled_reason="noop")
                else:
                    _current = Run(config.run_id, client, config.workspace, config.synchronous)
            if not _atexit_registered:
                atexit.register(_at_exit)
                _atexit_registered = True
        return _current


def _at_exit():
    """Flush every run and end open child runs, waiting at most EXIT_FLUSH_TIMEOUT in all."""
    deadline = time.monotonic() + EXIT_FLUSH_TIMEOUT
    crashed = getattr(sys, "last_value", None)  # set when an unhandled exception ended the script
    with _state_lock:
        children = list(_children.values())
        current = _current
    for child in reversed(children):  # innermost first
        remaining = max(0.0, deadline - time.monotonic())
        if crashed is not None:
            reason = "".join(traceback.format_exception_only(type(crashed), crashed)).strip()
            child.end("Failed", reason="the script exited with an unhandled exception: " + reason,
                      timeout=remaining)
        else:
            child.end("Completed", timeout=remaining)
    if current is not None and current._batcher is not None:
        if not current._batcher.flush(max(0.0, deadline - time.monotonic())):
            warn("%d logged values were not acknowledged by the server within %d s of exit and are lost"
                 % (current._batcher.pending_count(), EXIT_FLUSH_TIMEOUT))


def _reset(flush_timeout=5.0):
    """Forget the current run and printed warnings, as if the module was just imported (tests).

    What the old runs buffered gets ``flush_timeout`` seconds to be sent, then is dropped.
    """
    global _current, _missing
    with _state_lock:
        runs = [r for r in [_current] + list(_children.values()) if r is not None]
        _current, _missing = None, []
        _children.clear()
    for run in runs:
        if run._batcher is not None:
            run._batcher.close(timeout=flush_timeout)
            run._batcher.abandon()
    from . import _errors
    _errors._reset()


def _after_fork_in_child():
    global _state_lock
    _state_lock = threading.Lock()
    from . import _errors
    _errors._reset()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
